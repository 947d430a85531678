import type { NextFunction, Request, RequestHandler, Response } from "express";
import { UnauthorizedError } from "@charthouse/errors";
import type { CachedTokenAdmission } from "./cached_token_admission.ts";

/** The challenge a Helm repository answers 401 with, so helm sends its --username/--password. */
export const helmAuthChallenge = 'Basic realm="charthouse"';

const helmTokenSolution =
  "Add the repository with an API token as the password: helm repo add <name> <url> --username any --password <token>";

/**
 * Express middleware of the Helm repositories: admits a valid API token sent as helm sends it,
 * HTTP Basic with any user name and the token as the password, or as a bearer token. Admitted
 * tokens are remembered for a few seconds (see CachedTokenAdmission): helm and Argo CD fleets ask
 * for the same index again and again, and most of those requests end in a 304.
 */
export function authenticateHelmClient(admission: Pick<CachedTokenAdmission, "admit">): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const token = tokenOf(req.get("authorization"));
    if (token === undefined) {
      throw new UnauthorizedError("Missing credentials: send an API token as the Basic password or as a bearer token", {
        solution: helmTokenSolution,
      });
    }
    res.locals["auth"] = await admission.admit(token, helmTokenSolution);
    next();
  };
}

/** The token of an Authorization header: Basic's password, or a bearer token. */
export function tokenOf(header: string | undefined): string | undefined {
  if (header === undefined || header.length > 8_192) return undefined;
  const bearer = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  if (bearer?.[1]) return bearer[1];
  const basic = /^Basic[ ]+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!basic?.[1]) return undefined;
  const decoded = Buffer.from(basic[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  const password = colon < 0 ? "" : decoded.slice(colon + 1);
  return password === "" ? undefined : password;
}
