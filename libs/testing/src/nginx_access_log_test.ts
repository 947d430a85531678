import { describe, expect, it } from "vitest";
import { parseAccessLog } from "./nginx_access_log.ts";

describe("parseAccessLog()", () => {
  it("reads method, path, status, bytes and which validators the request carried", () => {
    const text =
      '{"method":"GET","path":"/index.yaml?a=1","status":"304","bytes":"0","ifNoneMatch":"\\"abc\\"",' +
      '"ifModifiedSince":"","authorization":"","contentEncoding":""}\n' +
      '{"method":"HEAD","path":"/x.tgz","status":"200","bytes":"12","ifNoneMatch":"","ifModifiedSince":"Mon",' +
      '"authorization":"Basic eA==","contentEncoding":"gzip"}\n';
    expect(parseAccessLog(text)).toEqual([
      {
        method: "GET",
        path: "/index.yaml?a=1",
        status: 304,
        bytes: 0,
        ifNoneMatch: true,
        ifModifiedSince: false,
        authorization: false,
        contentEncoding: "",
      },
      {
        method: "HEAD",
        path: "/x.tgz",
        status: 200,
        bytes: 12,
        ifNoneMatch: false,
        ifModifiedSince: true,
        authorization: true,
        contentEncoding: "gzip",
      },
    ]);
  });

  it("names the line it cannot read", () => {
    expect(() => parseAccessLog('{"method":"GET"}\n')).toThrow(/line 1 has no string "path"/);
    expect(() => parseAccessLog("ok\nnot json")).toThrow(/line 1/);
  });
});
