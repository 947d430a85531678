{{/* The chart's name. */}}
{{- define "charthouse.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's base name; each service's objects are named <fullname>-<service>. */}}
{{- define "charthouse.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* The name of one service's objects. Call with (dict "root" $ "name" "registry-api"). */}}
{{- define "charthouse.serviceFullname" -}}
{{- printf "%s-%s" (include "charthouse.fullname" .root) .name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels that select one service's pods. Call with (dict "root" $ "name" ...). */}}
{{- define "charthouse.selectorLabels" -}}
app.kubernetes.io/name: {{ include "charthouse.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{/* Labels of every object of the chart; with a name, of that service's objects. */}}
{{- define "charthouse.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "charthouse.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- with .name }}
app.kubernetes.io/component: {{ . }}
{{- end }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: charthouse
{{- end }}

{{/* The Secret with DATABASE_URL, CHARTHOUSE_SECRET_KEY and CHARTHOUSE_BOOTSTRAP_TOKEN. */}}
{{- define "charthouse.secretName" -}}
{{- .Values.secret.existingSecret | default (printf "%s-secret" (include "charthouse.fullname" .)) }}
{{- end }}

{{/* "true" unless the service says `enabled: false`. Call with the service's values. */}}
{{- define "charthouse.enabled" -}}
{{- if or (not (hasKey . "enabled")) .enabled }}true{{ end }}
{{- end }}

{{/* Whether a service's replica count is left to an autoscaler. Call with (dict "root" $ "service" $svc). */}}
{{- define "charthouse.autoscaled" -}}
{{- $a := .service.autoscaling | default dict }}
{{- if and .root.Values.autoscaling.enabled (or $a.jetstream $a.cpu) }}true{{ end }}
{{- end }}

{{/*
One service's Deployment: `node --enable-source-maps apps/<name>/dist/main.js` from the shared image, its
replicas, resources and environment, health probes on its port and Prometheus annotations.
Call with (dict "root" $ "name" "index-fetcher" "service" (index .Values.services "index-fetcher")).
*/}}
{{- define "charthouse.deployment" -}}
{{- $root := .root }}
{{- $name := .name }}
{{- $svc := .service }}
{{- $scope := dict "root" $root "name" $name }}
{{- $env := merge (dict) ($svc.env | default dict) ($root.Values.env | default dict) }}
{{- $optionalSecretKeys := list "CHARTHOUSE_BOOTSTRAP_TOKEN" }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "charthouse.serviceFullname" $scope }}
  labels:
    {{- include "charthouse.labels" $scope | nindent 4 }}
spec:
  {{- if not (include "charthouse.autoscaled" (dict "root" $root "service" $svc)) }}
  replicas: {{ $svc.replicas | default 1 }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "charthouse.selectorLabels" $scope | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "charthouse.selectorLabels" $scope | nindent 8 }}
        {{- with $root.Values.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        {{- if not $root.Values.secret.existingSecret }}
        checksum/secret: {{ include (print $root.Template.BasePath "/secret.yaml") $root | sha256sum }}
        {{- end }}
        {{- if $root.Values.metrics.podAnnotations }}
        prometheus.io/scrape: "true"
        prometheus.io/port: {{ $root.Values.containerPort | quote }}
        prometheus.io/path: /metrics
        {{- end }}
        {{- with $root.Values.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      automountServiceAccountToken: false
      terminationGracePeriodSeconds: {{ $root.Values.terminationGracePeriodSeconds }}
      {{- with $root.Values.podSecurityContext }}
      securityContext:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: {{ $name }}
          image: "{{ $root.Values.image.repository }}:{{ $root.Values.image.tag | default $root.Chart.AppVersion }}"
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          args: [{{ printf "apps/%s/dist/main.js" $name | quote }}]
          {{- with $root.Values.securityContext }}
          securityContext:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          ports:
            - name: http
              containerPort: {{ $root.Values.containerPort }}
              protocol: TCP
          env:
            - name: PORT
              value: {{ $root.Values.containerPort | quote }}
            - name: NATS_URL
              value: {{ required "nats.url is required" $root.Values.nats.url | quote }}
            {{- range $key := $svc.secretEnv }}
            - name: {{ $key }}
              valueFrom:
                secretKeyRef:
                  name: {{ include "charthouse.secretName" $root }}
                  key: {{ $key }}
                  {{- if has $key $optionalSecretKeys }}
                  optional: true
                  {{- end }}
            {{- end }}
            {{- range $key, $value := $env }}
            - name: {{ $key }}
              value: {{ $value | toString | quote }}
            {{- end }}
          startupProbe:
            httpGet: { path: /healthz, port: http }
            {{- toYaml $root.Values.probes.startup | nindent 12 }}
          livenessProbe:
            httpGet: { path: /healthz, port: http }
            {{- toYaml $root.Values.probes.liveness | nindent 12 }}
          readinessProbe:
            httpGet: { path: /readyz, port: http }
            {{- toYaml $root.Values.probes.readiness | nindent 12 }}
          {{- with $svc.resources }}
          resources:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          volumeMounts:
            # A writable /tmp; the root filesystem is read-only.
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: tmp
          emptyDir: {}
      {{- with $root.Values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $root.Values.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $root.Values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end }}
