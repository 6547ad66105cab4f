#!/usr/bin/env bash
# The DataMover demo: a local Kubernetes-compatible cluster (the project's sandbox), a local S3 server,
# an application PVC with files in it, the operator, and one DataMover from deploy/samples/ followed from
# start to finish. Everything it starts is stopped when it ends (or on Ctrl-C).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

bold=$'\e[1m'; dim=$'\e[2m'; green=$'\e[32m'; red=$'\e[31m'; cyan=$'\e[36m'; reset=$'\e[0m'
if [[ ! -t 1 ]]; then bold=""; dim=""; green=""; red=""; cyan=""; reset=""; fi
say()  { printf '%s\n' "${bold}==>${reset} $*"; }
info() { printf '    %s\n' "$*"; }
fail() { printf '%s\n' "${red}demo failed:${reset} $*" >&2; exit 1; }

work="$(mktemp -d /tmp/datamover-demo.XXXXXX)"
# Pods run as non-root users and must reach their volumes under here.
chmod 755 "$work"
pids=()
cleanup() {
  local code=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ $code -ne 0 ]]; then
    printf '%s\n' "${dim}logs kept in $work (sandbox.log, operator.log, s3.log)${reset}" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for_line() { # file pattern seconds
  local deadline=$((SECONDS + $3))
  until grep -q "$2" "$1" 2>/dev/null; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

say "Preparing this machine (installs rclone, bubblewrap, s3rver once)"
bash scripts/prereqs.sh | sed 's/^/    /'
dotnet build DataMover.sln -c Release -nologo -clp:ErrorsOnly -v:q >/dev/null || fail "the build failed (run: dotnet build DataMover.sln)"
bin="src/%s/bin/Release/net10.0/%s.dll"
# shellcheck disable=SC2059
sandbox_dll=$(printf "$bin" DataMover.Sandbox DataMover.Sandbox)
# shellcheck disable=SC2059
operator_dll=$(printf "$bin" DataMover.Operator DataMover.Operator)

say "Starting a local S3 server (s3rver)"
s3port=$(free_port)
mkdir -p "$work/s3"
NODE_OPTIONS=--openssl-legacy-provider .tools/node_modules/.bin/s3rver \
  --directory "$work/s3" --address 127.0.0.1 --port "$s3port" --silent >"$work/s3.log" 2>&1 &
pids+=($!)
# rclone reads its whole configuration from these variables; nothing of the host's environment leaks in.
s3env=(env -i PATH=/usr/bin:/bin HOME="$work" RCLONE_CONFIG=/dev/null RCLONE_FAST_LIST=true
  RCLONE_CONFIG_S3_TYPE=s3 RCLONE_CONFIG_S3_PROVIDER=Other RCLONE_CONFIG_S3_ENV_AUTH=false
  RCLONE_CONFIG_S3_ACCESS_KEY_ID=S3RVER RCLONE_CONFIG_S3_SECRET_ACCESS_KEY=S3RVER
  RCLONE_CONFIG_S3_ENDPOINT="http://127.0.0.1:$s3port" RCLONE_CONFIG_S3_FORCE_PATH_STYLE=true)
for _ in $(seq 50); do "${s3env[@]}" rclone lsd s3: >/dev/null 2>&1 && break; sleep 0.2; done
"${s3env[@]}" rclone mkdir s3:backups || fail "could not create the bucket (see $work/s3.log)"
info "http://127.0.0.1:$s3port, bucket ${cyan}backups${reset}"

say "Starting the sandbox cluster"
dotnet "$sandbox_dll" serve --kubeconfig "$work/kubeconfig" --port 0 --data-dir "$work/volumes" >"$work/sandbox.log" 2>&1 &
pids+=($!)
wait_for_line "$work/sandbox.log" "sandbox ready:" 60 || fail "the sandbox did not start (see $work/sandbox.log)"
export KUBECONFIG="$work/kubeconfig"
info "$(grep -m1 'sandbox ready:' "$work/sandbox.log")"
kubectl wait --for=condition=Ready node --all --timeout=60s >/dev/null

say "Installing the DataMover CRDs"
kubectl apply -f deploy/crds/ | sed 's/^/    /'

say "Creating the application's PVC and writing files into it"
kubectl apply -f - >/dev/null <<YAML
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: web-app-data
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
YAML
kubectl wait --for=jsonpath='{.status.phase}'=Bound pvc/web-app-data --timeout=60s >/dev/null
volume=$(kubectl get pvc web-app-data -o jsonpath='{.spec.volumeName}')
data=$(kubectl get pv "$volume" -o jsonpath='{.spec.hostPath.path}')
mkdir -p "$data/site/images" "$data/site/posts" "$data/uploads/2024/août" "$data/empty folder"
printf '<h1>Hello from web-app-data</h1>\n' >"$data/site/index.html"
for i in $(seq 1 200); do printf 'post %d\n' "$i" >"$data/site/posts/post-$i.md"; done
head -c 5242880 /dev/urandom >"$data/site/images/banner.bin"
printf 'résumé\n' >"$data/uploads/2024/août/mon fichier.txt"
: >"$data/uploads/empty.txt"
# What a faithful copy must keep: modes, symbolic links, empty directories (nested too).
mkdir -p "$data/bin" "$data/cache/thumbnails/small" "$data/private"
printf '#!/bin/sh\necho hello\n' >"$data/bin/hello.sh" && chmod 755 "$data/bin/hello.sh"
printf 'db_password=not-really\n' >"$data/private/settings.ini" && chmod 600 "$data/private/settings.ini" && chmod 700 "$data/private"
printf 'do not edit\n' >"$data/site/LICENSE" && chmod 444 "$data/site/LICENSE"
ln -s site/index.html "$data/index.html"
ln -s ../site/images "$data/uploads/images"
# The application runs as uid 65534, as the mover does: its files are its own.
chown -R 65534:65534 "$data"
info "PVC web-app-data is Bound to $volume; wrote $(find "$data" -type f | wc -l) files, $(find "$data" -type l | wc -l) links, $(find "$data" -type d -empty | wc -l) empty folders ($(du -sh "$data" | cut -f1))"

say "Creating the storage Secret (keys become the mover's environment; the operator never reads it)"
kubectl create secret generic storage-credentials \
  --from-literal=AWS_ACCESS_KEY_ID=S3RVER --from-literal=AWS_SECRET_ACCESS_KEY=S3RVER \
  --from-literal=AWS_REGION=us-east-1 --from-literal=BUCKET_HOST=127.0.0.1 \
  --from-literal=BUCKET_PORT="$s3port" --from-literal=BUCKET_NAME=backups --from-literal=TLS_HOST=false \
  >/dev/null

say "Installing the operator's RBAC (deploy/rbac) and taking its ServiceAccount's token"
kubectl apply -f deploy/manager/namespace.yaml >/dev/null
kubectl apply -k deploy/rbac | sed 's/^/    /'
token=$(kubectl create token datamover-operator-controller-manager -n datamover-operator-system --duration=2h)
cp "$KUBECONFIG" "$work/operator.kubeconfig"
kubectl --kubeconfig "$work/operator.kubeconfig" config set-credentials "$(kubectl config view -o jsonpath='{.users[0].name}')" --token="$token" >/dev/null
info "the operator runs as system:serviceaccount:datamover-operator-system:datamover-operator-controller-manager"
info "can it read Secrets? $(kubectl auth can-i get secrets --as=system:serviceaccount:datamover-operator-system:datamover-operator-controller-manager || true)"

say "Starting the operator"
dotnet "$operator_dll" --kubeconfig "$work/operator.kubeconfig" --metrics-bind-address 127.0.0.1:0 \
  --health-probe-bind-address 127.0.0.1:0 >"$work/operator.log" 2>&1 &
pids+=($!)

say "Applying deploy/samples/backup-web-data-cleanup.yaml"
sed 's/^/    /' deploy/samples/backup-web-data-cleanup.yaml
kubectl apply -f deploy/samples/backup-web-data-cleanup.yaml >/dev/null

say "Following the backup"
start=$SECONDS
last=""
final=""
# One line per status change, straight from the watch stream.
while IFS='|' read -r phase reason message; do
  [[ -z "$phase" || "$phase|$reason" == "$last" ]] && continue
  last="$phase|$reason"
  printf '    %s[%3ss]%s %-18s %s\n' "$dim" "$((SECONDS - start))" "$reset" "${bold}$phase${reset}" "${message:-$reason}"
  if [[ "$phase" == Completed || "$phase" == Failed ]]; then final=$phase; break; fi
done < <(timeout 300 kubectl get datamover backup-web-data-cleanup --watch -o \
  jsonpath='{.status.phase}{"|"}{.status.conditions[?(@.type=="Progressing")].reason}{"|"}{.status.conditions[?(@.type=="Progressing")].message}{"\n"}' 2>/dev/null)

echo
kubectl get datamover backup-web-data-cleanup -o wide | sed 's/^/    /'
echo
if [[ "$final" != Completed ]]; then
  kubectl describe datamover backup-web-data-cleanup | sed 's/^/    /'
  fail "the backup did not complete (operator log: $work/operator.log)"
fi

destination=$(kubectl get datamover backup-web-data-cleanup -o jsonpath='{.status.destination}')
prefix=$(kubectl get datamover backup-web-data-cleanup -o jsonpath='{.status.destination}' | sed -E 's#^s3://[^/]+/?##')
say "What landed in the bucket: ${cyan}$destination${reset}"
# awk reads the whole tree (no broken pipe) and prints its head.
"${s3env[@]}" rclone tree "s3:backups" --level 4 |
  awk 'NR <= 14 { print "    " $0 } END { if (NR > 14) printf "    ... and %d more lines\n", NR - 14 }'
echo
"${s3env[@]}" rclone size "s3:backups/$prefix" | sed 's/^/    /'
"${s3env[@]}" rclone check "$data" "s3:backups/$prefix" --one-way 2>&1 | tail -1 | sed 's/^/    rclone check: /'
echo
info "the backup's record: $("${s3env[@]}" rclone cat "s3:backups/$prefix/.datamover-manifest.json" | jq -c '{dataMover: .dataMover.name, sourcePvc, files, bytes, verified, directories: (.directories | length)}')"
echo
info "the clone was deleted after the backup (deletePvcAfterBackup: true):"
kubectl get pvc -l app.kubernetes.io/created-by=datamover-operator 2>&1 | sed 's/^/    /'

say "Restoring the backup into a new PVC (DataMoverRestore)"
cat >"$work/restore.yaml" <<'YAML'
apiVersion: datamover.a-cup-of.coffee/v1alpha1
kind: DataMoverRestore
metadata:
  name: restore-web-data
spec:
  source:
    fromDataMover: backup-web-data-cleanup
  target:
    pvc:
      name: web-app-data-restored
YAML
sed 's/^/    /' "$work/restore.yaml"
kubectl apply -f "$work/restore.yaml" >/dev/null
if ! kubectl wait --for=condition=Complete datamoverrestore/restore-web-data --timeout=300s >/dev/null 2>&1; then
  kubectl describe datamoverrestore restore-web-data | sed 's/^/    /'
  fail "the restore did not complete (operator log: $work/operator.log)"
fi
kubectl get datamoverrestore restore-web-data | sed 's/^/    /'
restored=$(kubectl get pv "$(kubectl get pvc web-app-data-restored -o jsonpath='{.spec.volumeName}')" -o jsonpath='{.spec.hostPath.path}')
# One line per entry: path, type, mode, owner, size and link target; contents compared separately.
listing() { (cd "$1" && find . -mindepth 1 -printf '%P %y %m %u:%g %s %l\n' | LC_ALL=C sort); }
if ! diff <(listing "$data") <(listing "$restored") >"$work/restore.diff" || ! diff -r --no-dereference "$data" "$restored" >>"$work/restore.diff"; then
  sed 's/^/    /' "$work/restore.diff" | head -20
  fail "the restored tree differs from the source (see $work/restore.diff)"
fi
info "restored tree identical to the source: $(listing "$data" | wc -l) entries (contents, modes, owners, symbolic links, empty folders)"
echo
say "${green}Done.${reset} Backed up, restored and compared; stopping everything."
