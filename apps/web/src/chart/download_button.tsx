import { useState, type ReactNode } from "react";
import { versionPath } from "../api/api_client.ts";
import type { ChartVersion } from "../api/api_types.ts";
import { useApi } from "../auth/session.tsx";
import { ProblemDetails } from "../components/states.tsx";

/**
 * Downloads the cached archive: a fetch with the Authorization header into a Blob, saved through
 * an object URL (a plain link could not carry the token).
 */
export function DownloadButton({ version }: { version: ChartVersion }): ReactNode {
  const api = useApi();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const fileName = `${version.chart}-${version.version}.tgz`;
  const download = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const blob = await api.getBlob(`${versionPath(version.registry_id, version.chart, version.version)}/archive`);
      const url = URL.createObjectURL(blob);
      const link = document.createElement("a");
      link.href = url;
      link.download = fileName;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const ready = version.state === "ready";
  return (
    <div className="download">
      <button type="button" className="primary" onClick={() => void download()} disabled={!ready || busy} data-testid="download">
        {busy ? "Downloading…" : `Download ${fileName}`}
      </button>
      {!ready ? <p className="hint">The archive can be downloaded once this version is ready ({version.state}).</p> : null}
      {error !== null ? (
        <div role="alert" className="state-error inline-error">
          <ProblemDetails error={error} />
        </div>
      ) : null}
    </div>
  );
}
