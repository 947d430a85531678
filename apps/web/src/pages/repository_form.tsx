import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent, type ReactNode } from "react";
import { Link } from "react-router";
import { ApiProblem } from "../api/api_problem.ts";
import type { Credential, Page, Registry } from "../api/api_types.ts";
import { useApi } from "../auth/session.tsx";
import { ProblemDetails } from "../components/states.tsx";
import { FormActions } from "../components/form_actions.tsx";
import { Field } from "../components/form_field.tsx";
import { suggestRegistryName } from "./registry_name.ts";

const intervals = [
  { seconds: 120, label: "Every 2 minutes (default)" },
  { seconds: 60, label: "Every minute" },
  { seconds: 300, label: "Every 5 minutes" },
  { seconds: 900, label: "Every 15 minutes" },
  { seconds: 3600, label: "Every hour" },
  { seconds: 86_400, label: "Every 24 hours" },
  { seconds: 0, label: "Never automatically (Sync now only)" },
] as const;

/** The Add form: URL, name, credential (from GET /credentials), sync interval. */
export function RepositoryForm({ onAdded, onCancel }: { onAdded: (registry: Registry) => void; onCancel: () => void }): ReactNode {
  const api = useApi();
  const queryClient = useQueryClient();
  const id = useId();
  const [url, setUrl] = useState("");
  const [name, setName] = useState("");
  const [nameEdited, setNameEdited] = useState(false);
  const [credentialId, setCredentialId] = useState("");
  const [interval, setIntervalChoice] = useState("120");
  const [customSeconds, setCustomSeconds] = useState("600");

  const credentials = useQuery({
    queryKey: ["credentials", "all"],
    queryFn: ({ signal }) => api.getJson<Page<Credential>>("/credentials?limit=500", signal),
  });

  const add = useMutation({
    mutationFn: (body: Record<string, unknown>) => api.send<Registry>("POST", "/registries", body),
    onSuccess: (registry) => {
      void queryClient.invalidateQueries({ queryKey: ["registries"] });
      if (registry) onAdded(registry);
    },
  });
  const problem = add.error instanceof ApiProblem ? add.error : null;
  const fieldError = (field: string): string | undefined => problem?.fieldError(field);

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    const seconds = interval === "custom" ? Number(customSeconds) : Number(interval);
    add.mutate({
      name: (nameEdited ? name : name || suggestRegistryName(url)).trim(),
      url: url.trim(),
      credential_id: credentialId === "" ? null : credentialId,
      sync_interval_seconds: seconds,
    });
  };

  return (
    <form className="card form" onSubmit={submit} aria-labelledby={`${id}-title`} data-testid="repository-form">
      <h2 id={`${id}-title`}>Add a repository</h2>
      <Field id={`${id}-url`} label="Registry URL" error={fieldError("url")}>
        <input
          id={`${id}-url`}
          name="url"
          type="text"
          inputMode="url"
          required
          autoFocus
          autoComplete="off"
          spellCheck={false}
          placeholder="https://charts.example.com or oci://ghcr.io/org/charts"
          value={url}
          onChange={(e) => {
            setUrl(e.target.value);
            if (!nameEdited) setName(suggestRegistryName(e.target.value));
          }}
          aria-describedby={`${id}-url-hint`}
        />
        <p id={`${id}-url-hint`} className="hint">
          The repository root that serves <code>index.yaml</code>, or an OCI address starting with <code>oci://</code>.
        </p>
      </Field>
      <Field id={`${id}-name`} label="Name" error={fieldError("name")}>
        <input
          id={`${id}-name`}
          name="name"
          required
          autoComplete="off"
          maxLength={100}
          value={name}
          onChange={(e) => {
            setName(e.target.value);
            setNameEdited(true);
          }}
        />
      </Field>
      <Field id={`${id}-credential`} label="Credential" error={fieldError("credential_id")}>
        <select
          id={`${id}-credential`}
          name="credential_id"
          value={credentialId}
          onChange={(e) => setCredentialId(e.target.value)}
          disabled={credentials.isPending}
        >
          <option value="">None (public repository)</option>
          {(credentials.data?.items ?? []).map((c) => (
            <option key={c.id} value={c.id}>
              {c.name} ({c.kind})
            </option>
          ))}
        </select>
        <p className="hint">
          {credentials.isPending
            ? "Loading credentials…"
            : credentials.isError
              ? "Cannot load credentials; the repository can still be added without one."
              : null}{" "}
          <Link to="/credentials">Manage credentials</Link>
        </p>
      </Field>
      <Field id={`${id}-interval`} label="Sync interval" error={fieldError("sync_interval_seconds")}>
        <select id={`${id}-interval`} name="sync_interval" value={interval} onChange={(e) => setIntervalChoice(e.target.value)}>
          {intervals.map((i) => (
            <option key={i.seconds} value={String(i.seconds)}>
              {i.label}
            </option>
          ))}
          <option value="custom">Custom…</option>
        </select>
        {interval === "custom" ? (
          <label className="inline">
            Seconds (10 to 86400)
            <input
              type="number"
              min={10}
              max={86_400}
              step={1}
              required
              value={customSeconds}
              onChange={(e) => setCustomSeconds(e.target.value)}
            />
          </label>
        ) : null}
      </Field>
      {problem && !problem.problem.errors?.length ? (
        <div role="alert" className="state-error inline-error">
          <ProblemDetails error={problem} />
        </div>
      ) : add.error && !problem ? (
        <div role="alert" className="state-error inline-error">
          <ProblemDetails error={add.error} />
        </div>
      ) : null}
      <FormActions sending={add.isPending} submitLabel="Add" onCancel={onCancel} />
    </form>
  );
}
