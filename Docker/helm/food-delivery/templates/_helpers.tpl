{{/* Chart name, truncated to the 63 characters Kubernetes names allow. */}}
{{- define "food-delivery.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-qualified name: <release>-food-delivery, or the release name when it already says so. */}}
{{- define "food-delivery.fullname" -}}
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

{{- define "food-delivery.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "food-delivery.labels" -}}
helm.sh/chart: {{ include "food-delivery.chart" . }}
app.kubernetes.io/name: {{ include "food-delivery.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: food-delivery
{{- end }}

{{/* Selector labels of one component; call with (dict "root" $ "component" "order"). */}}
{{- define "food-delivery.selectorLabels" -}}
app.kubernetes.io/name: {{ include "food-delivery.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Object name of one component (Deployment, Service, HPA): <fullname>-<component>. */}}
{{- define "food-delivery.componentName" -}}
{{- printf "%s-%s" (include "food-delivery.fullname" .root) .component | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Image reference; call with (dict "root" $ "image" "food/order-service" "tag" ""). */}}
{{- define "food-delivery.image" -}}
{{- $registry := .root.Values.image.registry | default "" | trimSuffix "/" }}
{{- $tag := .tag | default .root.Values.image.tag | default .root.Chart.AppVersion }}
{{- if $registry }}
{{- printf "%s/%s:%s" $registry .image $tag }}
{{- else }}
{{- printf "%s:%s" .image $tag }}
{{- end }}
{{- end }}

{{- define "food-delivery.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "food-delivery.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "food-delivery.configMapName" -}}
{{- printf "%s-config" (include "food-delivery.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The Secret every pod reads; the chart refuses to render without it. */}}
{{- define "food-delivery.secretName" -}}
{{- required "existingSecret is required: a Secret with SERVICE_API_KEY, MONGO_URL, RABBIT_URL and REDIS_URL (see values.yaml)" .Values.existingSecret }}
{{- end }}

{{/* The secret settings as env entries (valueFrom the existing Secret). */}}
{{- define "food-delivery.secretEnv" -}}
{{- $secret := include "food-delivery.secretName" . }}
{{- range $setting := list "SERVICE_API_KEY" "CARD_WEBHOOK_SECRET" "MONGO_URL" "RABBIT_URL" "REDIS_URL" }}
- name: {{ $setting }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ index $.Values.secretKeys $setting | default $setting }}
{{- end }}
{{- end }}

{{/* SERVICE_URLS (JSON): our enabled services by their in-cluster Service, then the outside ones. */}}
{{- define "food-delivery.serviceUrls" -}}
{{- $urls := dict }}
{{- range $component, $svc := .Values.services }}
{{- if $svc.enabled }}
{{- $host := include "food-delivery.componentName" (dict "root" $ "component" $component) }}
{{- $_ := set $urls $svc.module (printf "http://%s:%d" $host (int $svc.servicePort)) }}
{{- end }}
{{- end }}
{{- range $name, $url := .Values.externalServices }}
{{- $_ := set $urls $name $url }}
{{- end }}
{{- toJson $urls }}
{{- end }}
