import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent, type ReactNode } from "react";
import { ApiProblem } from "../api/api_problem.ts";
import type { CreatedSubscription, WebhookEventType } from "../api/api_types.ts";
import { useApi } from "../auth/session.tsx";
import { FormActions } from "../components/form_actions.tsx";
import { Field } from "../components/form_field.tsx";
import { ProblemDetails } from "../components/states.tsx";
import { useRegistryNames } from "./use_registry_names.tsx";

const eventChoices: { type: WebhookEventType; label: string }[] = [
  { type: "version.ready", label: "A version is ready" },
  { type: "version.removed", label: "A version leaves the registry" },
  { type: "sync.failing", label: "The registry starts failing to sync" },
  { type: "version.deprecated", label: "A version is marked deprecated" },
  { type: "version.repushed", label: "A version is published again with other bytes" },
];

/** Add a watch rule; once made, its signing secret is shown here, the only time it is. */
export function SubscriptionForm({ onAdded, onCancel }: { onAdded: (name: string) => void; onCancel: () => void }): ReactNode {
  const api = useApi();
  const queryClient = useQueryClient();
  const registries = useRegistryNames();
  const id = useId();
  const [fields, setFields] = useState({ name: "", url: "", chart: "", versionRange: "", registryId: "", format: "cloudevents", prereleases: false });
  const [events, setEvents] = useState<WebhookEventType[]>(["version.ready"]);
  const [created, setCreated] = useState<CreatedSubscription | null>(null);

  const add = useMutation({
    mutationFn: (body: Record<string, unknown>) => api.send<CreatedSubscription>("POST", "/subscriptions", body),
    onSuccess: (subscription) => {
      void queryClient.invalidateQueries({ queryKey: ["subscriptions"] });
      setCreated(subscription);
    },
  });
  const problem = add.error instanceof ApiProblem ? add.error : null;
  const set = (name: keyof typeof fields, value: string | boolean): void => setFields({ ...fields, [name]: value });

  if (created !== null) {
    return (
      <div className="card form" data-testid="subscription-secret">
        <h2>Signing secret of “{created.name}”</h2>
        <p>Verify each delivery’s <code>webhook-signature</code> with this secret (Standard Webhooks). It is not shown again.</p>
        <pre className="secret">{created.secret}</pre>
        <div className="actions">
          <button type="button" className="primary" onClick={() => onAdded(created.name)}>
            Done
          </button>
        </div>
      </div>
    );
  }

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    const body: Record<string, unknown> = { name: fields.name.trim(), url: fields.url.trim(), events, format: fields.format };
    if (fields.registryId !== "") body["registry_id"] = fields.registryId;
    if (fields.chart.trim() !== "") body["chart"] = fields.chart.trim();
    if (fields.versionRange.trim() !== "") body["version_range"] = fields.versionRange.trim();
    if (fields.prereleases) body["include_prereleases"] = true;
    add.mutate(body);
  };

  const text = (name: "name" | "url" | "chart" | "versionRange", field: string, label: string, hint?: string): ReactNode => {
    const error = problem?.fieldError(field);
    return (
      <Field id={`${id}-${field}`} label={label} error={error}>
        <input
          id={`${id}-${field}`}
          name={field}
          required={name === "name" || name === "url"}
          value={fields[name]}
          spellCheck={false}
          aria-invalid={error ? true : undefined}
          onChange={(e) => set(name, e.target.value)}
        />
        {hint ? <p className="hint">{hint}</p> : null}
      </Field>
    );
  };

  return (
    <form className="card form" onSubmit={submit} aria-labelledby={`${id}-title`} data-testid="subscription-form" autoComplete="off">
      <h2 id={`${id}-title`}>Add a subscription</h2>
      {text("name", "name", "Name")}
      {text("url", "url", "Webhook URL", "Each matching event is POSTed here, signed, as a CloudEvent (or a Slack message).")}
      <fieldset className="field">
        <legend>Events</legend>
        {eventChoices.map((choice) => (
          <label key={choice.type} className="checkbox">
            <input
              type="checkbox"
              checked={events.includes(choice.type)}
              onChange={(e) => setEvents(e.target.checked ? [...events, choice.type] : events.filter((t) => t !== choice.type))}
            />
            {choice.label}
          </label>
        ))}
        {problem?.fieldError("events") ? <p className="field-error">Events {problem.fieldError("events")}</p> : null}
      </fieldset>
      <div className="field">
        <label htmlFor={`${id}-registry`}>Repository</label>
        <select id={`${id}-registry`} name="registry_id" value={fields.registryId} onChange={(e) => set("registryId", e.target.value)}>
          <option value="">Every repository</option>
          {[...registries].map(([registryId, name]) => (
            <option key={registryId} value={registryId}>
              {name}
            </option>
          ))}
        </select>
      </div>
      {text("chart", "chart", "Chart", "A glob: * any characters, ? one. Empty for every chart.")}
      {text("versionRange", "version_range", "Versions", "A semver range such as ^2 or >=2.0.0 <3. Empty for every version.")}
      <label className="checkbox">
        <input type="checkbox" checked={fields.prereleases} onChange={(e) => set("prereleases", e.target.checked)} />
        Include pre-releases (2.1.0-rc.1)
      </label>
      <div className="field">
        <label htmlFor={`${id}-format`}>Format</label>
        <select id={`${id}-format`} name="format" value={fields.format} onChange={(e) => set("format", e.target.value)}>
          <option value="cloudevents">CloudEvents JSON</option>
          <option value="slack">Slack message</option>
        </select>
      </div>
      {add.error && !problem?.problem.errors?.length ? (
        <div role="alert" className="state-error inline-error">
          <ProblemDetails error={add.error} />
        </div>
      ) : null}
      <FormActions sending={add.isPending} submitLabel="Add subscription" onCancel={onCancel} />
    </form>
  );
}
