{{/*
Names and labels, as `helm create` writes them.
*/}}
{{- define "schemagate.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified name: <release>-<chart>, or the release name when it already
contains the chart name. 63 characters at most (DNS names).
*/}}
{{- define "schemagate.fullname" -}}
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

{{- define "schemagate.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "schemagate.selectorLabels" -}}
app.kubernetes.io/name: {{ include "schemagate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "schemagate.labels" -}}
helm.sh/chart: {{ include "schemagate.chart" . }}
{{ include "schemagate.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
The image reference; the tag defaults to the chart's appVersion. From a parent
chart (where .Chart is the parent's) set image.tag explicitly.
*/}}
{{- define "schemagate.image" -}}
{{- $tag := .Values.image.tag }}
{{- if and (not $tag) (eq .Chart.Name "schemagate") }}
{{- $tag = .Chart.AppVersion }}
{{- end }}
{{- $tag = required "image.tag is required when the schemagate templates are included from another chart" $tag }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}

{{/* The ConfigMap that holds the migrations when migrations.source is configMap. */}}
{{- define "schemagate.migrationsConfigMap" -}}
{{- default (printf "%s-migrations" (include "schemagate.fullname" .)) .Values.migrations.configMap.name }}
{{- end }}

{{- define "schemagate.backupClaim" -}}
{{- default (printf "%s-backups" (include "schemagate.fullname" .)) .Values.backups.pvc.existingClaim }}
{{- end }}

{{/* The Secret with the database URL; empty existingSecret: <fullname>-database. */}}
{{- define "schemagate.databaseSecret" -}}
{{- default (printf "%s-database" (include "schemagate.fullname" .)) .Values.database.existingSecret }}
{{- end }}

{{/*
Arguments of the schemagate container for one command (the "command" key of
the dict; "ctx" is the chart context).
*/}}
{{- define "schemagate.args" -}}
{{- $v := .ctx.Values }}
{{- $cmd := .command }}
{{- if eq $cmd "run" }}
- run
- --target
- {{ $v.run.target | quote }}
{{- else if eq $cmd "wait" }}
- wait
{{- else if eq $cmd "downgrade" }}
{{- if eq (toString $v.run.target) "head" }}
{{- fail "job.command downgrade needs run.target set to where to go back to (-1, base or a revision id), not head" }}
{{- end }}
- downgrade
- {{ $v.run.target | quote }}
{{- else }}
- {{ $cmd }}
- {{ $v.run.target | quote }}
{{- end }}
{{- range $v.run.extraArgs }}
- {{ . | quote }}
{{- end }}
{{- end }}

{{/*
Environment of the schemagate container: the database URL from the Secret
(or its file), the migrations directory, the run settings, then env.
*/}}
{{- define "schemagate.env" -}}
{{- $v := .Values }}
{{- $secret := include "schemagate.databaseSecret" . }}
{{- if $v.database.mountAsFile }}
- name: DATABASE_URL_FILE
  value: {{ printf "%s/%s" (trimSuffix "/" $v.database.fileMountPath) $v.database.urlKey | quote }}
{{- else }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ $secret | quote }}
      key: {{ $v.database.urlKey | quote }}
{{- end }}
- name: SCHEMAGATE_MIGRATIONS
  value: {{ $v.migrations.path | quote }}
- name: SCHEMAGATE_WAIT_TIMEOUT
  value: {{ $v.run.waitTimeout | quote }}
- name: SCHEMAGATE_LOCK_TIMEOUT
  value: {{ $v.run.lockTimeout | quote }}
- name: SCHEMAGATE_DDL_LOCK_TIMEOUT
  value: {{ $v.run.ddlLockTimeout | quote }}
- name: SCHEMAGATE_DDL_LOCK_RETRIES
  value: {{ $v.run.ddlLockRetries | quote }}
- name: SCHEMAGATE_BACKUP
  value: {{ $v.backups.mode | quote }}
- name: SCHEMAGATE_BACKUP_DIR
  value: {{ $v.backups.path | quote }}
- name: SCHEMAGATE_BACKUP_KEEP
  value: {{ $v.backups.keep | quote }}
- name: SCHEMAGATE_LOG_FORMAT
  value: {{ $v.run.logFormat | quote }}
- name: SCHEMAGATE_LOG_LEVEL
  value: {{ $v.run.logLevel | quote }}
{{- if $v.run.baseline }}
- name: SCHEMAGATE_BASELINE
  value: {{ $v.run.baseline | quote }}
{{- end }}
{{- with $v.run.devUrlSecret }}
{{- if .name }}
- name: SCHEMAGATE_DEV_URL
  valueFrom:
    secretKeyRef:
      name: {{ .name | quote }}
      key: {{ .key | default "url" | quote }}
{{- end }}
{{- end }}
{{- with $v.env }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "schemagate.volumeMounts" -}}
{{- $v := .Values }}
- name: schemagate-tmp
  mountPath: /tmp
- name: schemagate-backups
  mountPath: {{ $v.backups.path | quote }}
{{- if eq $v.migrations.source "configMap" }}
- name: schemagate-migrations
  mountPath: {{ $v.migrations.path | quote }}
  readOnly: true
{{- end }}
{{- if $v.database.mountAsFile }}
- name: schemagate-database
  mountPath: {{ $v.database.fileMountPath | quote }}
  readOnly: true
{{- end }}
{{- end }}

{{/*
The volumes the schemagate container needs, as list items: put them under the
pod's `volumes:` next to your own (public: application charts include it).
*/}}
{{- define "schemagate.volumes" -}}
{{- $v := .Values -}}
- name: schemagate-tmp
  emptyDir:
    sizeLimit: {{ $v.tmpSizeLimit | quote }}
- name: schemagate-backups
{{- if eq $v.backups.volume "pvc" }}
  persistentVolumeClaim:
    claimName: {{ include "schemagate.backupClaim" . | quote }}
{{- else if $v.backups.emptyDir.sizeLimit }}
  emptyDir:
    sizeLimit: {{ $v.backups.emptyDir.sizeLimit | quote }}
{{- else }}
  emptyDir: {}
{{- end }}
{{- if eq $v.migrations.source "configMap" }}
- name: schemagate-migrations
  configMap:
    name: {{ include "schemagate.migrationsConfigMap" . | quote }}
{{- end }}
{{- if $v.database.mountAsFile }}
- name: schemagate-database
  secret:
    secretName: {{ include "schemagate.databaseSecret" . | quote }}
    defaultMode: 0444
    optional: false
    items:
      - key: {{ $v.database.urlKey | quote }}
        path: {{ $v.database.urlKey | quote }}
{{- end }}
{{- end }}

{{/*
One schemagate container ("ctx": chart context, "name", "command").
*/}}
{{- define "schemagate.container" -}}
{{- $v := .ctx.Values -}}
- name: {{ .name }}
  image: {{ include "schemagate.image" .ctx | quote }}
  imagePullPolicy: {{ $v.image.pullPolicy }}
  args:
    {{- include "schemagate.args" . | trim | nindent 4 }}
  env:
    - name: SCHEMAGATE_LINT
      value: {{ .lint | default "warn" | quote }}
    {{- include "schemagate.env" .ctx | trim | nindent 4 }}
  {{- with $v.envFrom }}
  envFrom:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  volumeMounts:
    {{- include "schemagate.volumeMounts" .ctx | trim | nindent 4 }}
  {{- with $v.resources }}
  resources:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    {{- toYaml $v.securityContext | nindent 4 }}
  terminationMessagePath: /dev/termination-log
  terminationMessagePolicy: FallbackToLogsOnError
{{- end }}

{{/*
The init container that gates an application on its migrations, as a list
item (public: application charts include it under initContainers:, and
"schemagate.volumes" under volumes:). initContainer.command auto runs
`check` when the hook Job migrates and `run` when it does not.
*/}}
{{- define "schemagate.initContainer" -}}
{{- $cmd := .Values.initContainer.command }}
{{- if eq $cmd "auto" }}
{{- $cmd = ternary "check" "run" .Values.job.enabled }}
{{- end }}
{{- include "schemagate.container" (dict "ctx" . "name" .Values.initContainer.name "command" $cmd "lint" .Values.initContainer.lint) }}
{{- end }}


{{/* Name of the hook Job: <fullname>-<command>, e.g. myapp-schemagate-run. */}}
{{- define "schemagate.jobName" -}}
{{- printf "%s-%s" (include "schemagate.fullname" . | trunc 52 | trimSuffix "-") .Values.job.command }}
{{- end }}
