{{/*
Chart name, truncated to the 63 characters Kubernetes allows in names.
*/}}
{{- define "otimo.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified name of the release's resources. When the release name already contains the
chart name it is used as is.
*/}}
{{- define "otimo.fullname" -}}
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

{{/*
Chart name and version, as used by the helm.sh/chart label.
*/}}
{{- define "otimo.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels common to every resource.
*/}}
{{- define "otimo.labels" -}}
helm.sh/chart: {{ include "otimo.chart" . }}
{{ include "otimo.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: otimo
{{- end }}

{{/*
Labels that select the release's pods; they must never change between upgrades.
*/}}
{{- define "otimo.selectorLabels" -}}
app.kubernetes.io/name: {{ include "otimo.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
ServiceAccount the pods run as.
*/}}
{{- define "otimo.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "otimo.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Container image reference; the tag defaults to the chart's appVersion.
*/}}
{{- define "otimo.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
Secret holding the database and admin passwords.
*/}}
{{- define "otimo.secretName" -}}
{{- default (include "otimo.fullname" .) .Values.existingSecret }}
{{- end }}

{{/*
PersistentVolumeClaim backing the artifact cache when persistence is enabled.
*/}}
{{- define "otimo.claimName" -}}
{{- default (printf "%s-data" (include "otimo.fullname" .)) .Values.persistence.existingClaim }}
{{- end }}
