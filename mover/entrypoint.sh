#!/usr/bin/env bash
# DataMover mover: copies the cloned volume (mounted at /data) to object storage
# with rclone, then verifies the copy. Contract: docs/mover.md.
#
# Runs as uid 65534 on a read-only root filesystem; the only writable place is
# $HOME (/config, an emptyDir) and the termination-message file.
#
# Never add `set -x` or print the environment: both would leak the credentials.
set -euo pipefail
umask 077

readonly EXIT_FAILED=1        # possibly transient (network, rclone error): the Job may retry
readonly EXIT_CONFIG=2        # a variable is missing or invalid: retrying cannot help
readonly EXIT_DESTINATION=3   # credentials refused or bucket missing: retrying cannot help

SOURCE_DIR="${MOVER_SOURCE_DIR:-/data}"
TERMINATION_PATH="${TERMINATION_MESSAGE_PATH:-/dev/termination-log}"
ENDPOINT=""
DESTINATION=""
WORK_DIR=""
RCLONE_LOG=""

# Values that must never reach the log or the termination message.
SECRETS=()
SCRUBBED=""
collect_secrets() {
  local name value
  for name in AWS_SECRET_ACCESS_KEY AWS_ACCESS_KEY_ID AWS_SESSION_TOKEN; do
    value="${!name:-}"
    [[ -n "${value}" ]] && SECRETS+=("${value}")
  done
  # Credentials of user-defined remotes (MOVER_REMOTE) live in RCLONE_CONFIG_* variables.
  while IFS= read -r name; do
    case "${name}" in
      RCLONE_CONFIG_*KEY* | RCLONE_CONFIG_*SECRET* | RCLONE_CONFIG_*PASS* | RCLONE_CONFIG_*TOKEN* | \
        RCLONE_CONFIG_*SAS* | RCLONE_CONFIG_*CREDENTIAL* | RCLONE_CONFIG_*ACCOUNT*)
        value="${!name:-}"
        # Very short values (e.g. "1") would mangle unrelated text; they are not secrets anyway.
        [[ ${#value} -ge 4 ]] && SECRETS+=("${value}")
        ;;
    esac
  done < <(compgen -e)
  return 0
}

# Sets SCRUBBED to $1 with every secret value replaced by ***. No subshell: it runs once per
# rclone output line, which is one line per file on a first backup.
scrub_into() {
  local secret
  SCRUBBED="$1"
  for secret in "${SECRETS[@]+"${SECRETS[@]}"}"; do
    SCRUBBED="${SCRUBBED//"${secret}"/***}"
  done
}

scrub() {
  scrub_into "$1"
  printf '%s' "${SCRUBBED}"
}

log() {
  printf 'mover: %s\n' "$(scrub "$*")"
}

# The kubelet creates /dev/termination-log; write it only if it is there and writable (never
# create files in /dev outside Kubernetes). An explicit TERMINATION_MESSAGE_PATH may be created.
# Kubernetes keeps at most 4096 bytes.
write_termination_message() {
  if [[ -w "${TERMINATION_PATH}" ||
    (-n "${TERMINATION_MESSAGE_PATH:-}" && ! -e "${TERMINATION_PATH}" && -w "$(dirname "${TERMINATION_PATH}")") ]]; then
    { printf '%s' "${1:0:4000}" >"${TERMINATION_PATH}"; } 2>/dev/null || true
  fi
}

# The single place a run ends in failure: one final line, also the termination message.
fail() {
  local code="$1" message
  message="$(scrub "$2")"
  message="${message//$'\n'/ }"
  printf 'mover: FAILED: %s\n' "${message}" >&2
  write_termination_message "${message}"
  exit "${code}"
}

succeed() {
  local message
  message="$(scrub "$1")"
  log "${message}"
  write_termination_message "${message}"
  exit 0
}

require() {
  local name="$1"
  [[ -n "${!name:-}" ]] || fail "${EXIT_CONFIG}" "missing required variable ${name}"
}

parse_bool() {
  # Prints true/false; an empty value means the default.
  local default="$2" value="${!1:-}"
  case "${value,,}" in
    "") printf '%s' "${default}" ;;
    true) printf 'true' ;;
    false) printf 'false' ;;
    *) return 1 ;;
  esac
}

prepare_work_dir() {
  local home="${HOME:-/config}"
  [[ -d "${home}" && -w "${home}" ]] || fail "${EXIT_CONFIG}" "HOME (${home}) is not a writable directory; mount an emptyDir there"
  WORK_DIR="${home}/.datamover"
  mkdir -p "${WORK_DIR}/cache" "${WORK_DIR}/tmp" 2>/dev/null ||
    fail "${EXIT_CONFIG}" "cannot create ${WORK_DIR}; HOME (${home}) must be a writable directory"
  RCLONE_LOG="${WORK_DIR}/rclone.log"
  # rclone must not write anywhere but $HOME; the root filesystem is read-only.
  export RCLONE_CACHE_DIR="${WORK_DIR}/cache"
  export TMPDIR="${WORK_DIR}/tmp"
  export XDG_CACHE_HOME="${WORK_DIR}/cache"
  # Configuration comes from the environment only, unless the user points RCLONE_CONFIG at a file.
  export RCLONE_CONFIG="${RCLONE_CONFIG:-/dev/null}"
}

# Defaults set through the environment rather than flags, so that a user's RCLONE_* variable wins.
set_rclone_defaults() {
  # Bounded retries: an unreachable endpoint must fail in seconds; the Job retries the pod.
  export RCLONE_RETRIES="${RCLONE_RETRIES:-1}"
  export RCLONE_LOW_LEVEL_RETRIES="${RCLONE_LOW_LEVEL_RETRIES:-2}"
  export RCLONE_CONTIMEOUT="${RCLONE_CONTIMEOUT:-5s}"
  export RCLONE_TIMEOUT="${RCLONE_TIMEOUT:-30s}"
  # One line per copied/deleted file, and a statistics block every minute and at the end.
  export RCLONE_LOG_LEVEL="${RCLONE_LOG_LEVEL:-INFO}"
  export RCLONE_STATS="${RCLONE_STATS:-1m}"
  export RCLONE_STATS_LOG_LEVEL="${RCLONE_STATS_LOG_LEVEL:-NOTICE}"
  # Recursive listing: fewer (billed) list requests on S3, and it avoids a delimiter-listing
  # bug of some S3 emulators (s3rver) that hides directories containing only directories.
  export RCLONE_FAST_LIST="${RCLONE_FAST_LIST:-true}"
  # Keep symbolic links as .rclonelink objects instead of skipping them.
  export RCLONE_LINKS="${RCLONE_LINKS:-true}"
}

configure_s3() {
  local name tls port host scheme
  for name in AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY BUCKET_HOST BUCKET_NAME; do
    require "${name}"
  done
  tls="$(parse_bool TLS_HOST true)" || fail "${EXIT_CONFIG}" "TLS_HOST must be true or false"
  port="${BUCKET_PORT:-443}"
  if [[ ! "${port}" =~ ^[0-9]{1,5}$ ]] || ((10#${port} < 1 || 10#${port} > 65535)); then
    fail "${EXIT_CONFIG}" "BUCKET_PORT must be a port number between 1 and 65535"
  fi
  # shellcheck disable=SC2153 # BUCKET_HOST comes from the environment (checked by require above).
  host="${BUCKET_HOST}"
  if [[ "${host}" == *"/"* || "${host}" =~ [[:space:]] ]]; then
    fail "${EXIT_CONFIG}" "BUCKET_HOST must be a host name or IP address without scheme, port or path"
  fi
  if [[ "${host}" =~ ^[0-9A-Fa-f]*:[0-9A-Fa-f]*:[0-9A-Fa-f:.]*$ ]]; then
    # A bare IPv6 address needs brackets in a URL.
    host="[${host}]"
  elif [[ "${host}" == *:* && "${host}" != \[*\] ]]; then
    fail "${EXIT_CONFIG}" "BUCKET_HOST must not include a port; set BUCKET_PORT instead"
  fi
  if [[ ! "${BUCKET_NAME}" =~ ^[A-Za-z0-9._-]+$ ]]; then
    fail "${EXIT_CONFIG}" "BUCKET_NAME must be a bucket name (letters, digits, '.', '-', '_'), not a path"
  fi
  scheme=https
  [[ "${tls}" == true ]] || scheme=http
  ENDPOINT="${scheme}://${host}:$((10#${port}))"

  # An env-only rclone remote named "datamover"; credentials stay out of the command line.
  export RCLONE_CONFIG_DATAMOVER_TYPE=s3
  export RCLONE_CONFIG_DATAMOVER_PROVIDER=Other
  export RCLONE_CONFIG_DATAMOVER_ENV_AUTH=false
  export RCLONE_CONFIG_DATAMOVER_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID}"
  export RCLONE_CONFIG_DATAMOVER_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY}"
  export RCLONE_CONFIG_DATAMOVER_REGION="${AWS_REGION:-us-east-1}"
  export RCLONE_CONFIG_DATAMOVER_ENDPOINT="${ENDPOINT}"
  export RCLONE_CONFIG_DATAMOVER_FORCE_PATH_STYLE=true
  # Never create (or probe-by-creating) the bucket; its absence is reported instead.
  export RCLONE_CONFIG_DATAMOVER_NO_CHECK_BUCKET=true
  if [[ -n "${AWS_SESSION_TOKEN:-}" ]]; then
    export RCLONE_CONFIG_DATAMOVER_SESSION_TOKEN="${AWS_SESSION_TOKEN}"
  fi
  BUCKET_ROOT="datamover:${BUCKET_NAME}"
}

configure_remote() {
  local remote="${MOVER_REMOTE}" path
  if [[ ! "${remote}" =~ ^[A-Za-z0-9_]+$ ]]; then
    fail "${EXIT_CONFIG}" "MOVER_REMOTE must be an rclone remote name made of letters, digits and '_'"
  fi
  local type_var="RCLONE_CONFIG_${remote^^}_TYPE"
  [[ -n "${!type_var:-}" ]] || fail "${EXIT_CONFIG}" "missing required variable ${type_var} (MOVER_REMOTE=${remote})"
  # Kept as given: a leading "/" is meaningful for path backends (SFTP absolute path).
  path="${MOVER_REMOTE_PATH:-${BUCKET_NAME:-}}"
  ENDPOINT="remote ${remote} (${!type_var})"
  BUCKET_ROOT="${remote}:${path%/}"
}

destination_prefix() {
  local add prefix
  add="$(parse_bool ADD_TIMESTAMP_PREFIX false)" || fail "${EXIT_CONFIG}" "ADD_TIMESTAMP_PREFIX must be true or false"
  if [[ -n "${DATAMOVER_DESTINATION_PREFIX+set}" ]]; then
    # The operator already decided the folder (also when it decided on none).
    prefix="${DATAMOVER_DESTINATION_PREFIX}"
  elif [[ "${add}" == true ]]; then
    prefix="$(date -u +%Y-%m-%d-%H%M%S)"
  else
    prefix=""
  fi
  # Slashes at either end would create empty path segments in object keys.
  while [[ "${prefix}" == /* ]]; do prefix="${prefix#/}"; done
  while [[ "${prefix}" == */ ]]; do prefix="${prefix%/}"; done
  if [[ "/${prefix}/" == *"/../"* || "/${prefix}/" == *"/./"* ]]; then
    fail "${EXIT_CONFIG}" "DATAMOVER_DESTINATION_PREFIX must not contain '.' or '..' segments"
  fi
  printf '%s' "${prefix}"
}

# Runs rclone with its output scrubbed and shown live. All but the per-file INFO lines are
# also kept in $RCLONE_LOG, to classify errors and read the final statistics.
run_rclone() {
  local status=0
  rclone "$@" 2>&1 | {
    exec 3>"${RCLONE_LOG}"
    while IFS= read -r line || [[ -n "${line}" ]]; do
      scrub_into "${line}"
      printf '%s\n' "${SCRUBBED}"
      [[ "${SCRUBBED}" == *" INFO  : "* ]] || printf '%s\n' "${SCRUBBED}" >&3
    done
  } || status=$?
  return "${status}"
}

# Turns rclone's error output into one actionable sentence.
classify_failure() {
  local step="$1" log code detail
  log="$(cat "${RCLONE_LOG}")"
  if [[ "${step}" == probe ]]; then
    # The probe's output (a listing) was not shown; its errors are the context for the verdict.
    grep -E 'ERROR|Failed to|caused by|status code' "${RCLONE_LOG}" || true
  fi
  for code in InvalidAccessKeyId SignatureDoesNotMatch AccessDenied InvalidToken ExpiredToken \
    InvalidClientTokenId AuthorizationHeaderMalformed AuthenticationFailed; do
    if [[ "${log}" == *"${code}"* ]]; then
      fail "${EXIT_DESTINATION}" "authentication refused by ${ENDPOINT} (${code})"
    fi
  done
  if [[ "${log}" == *NoSuchBucket* || "${log}" == *ContainerNotFound* ||
    ("${step}" == probe && "${log}" == *"directory not found"*) ]]; then
    fail "${EXIT_DESTINATION}" "bucket ${BUCKET_NAME:-${MOVER_REMOTE_PATH:-}} not found at ${ENDPOINT}"
  fi
  if [[ "${step}" != probe && "${log}" == *"${SOURCE_DIR}"*"permission denied"* ]]; then
    # Typical for database volumes (files owned by the database's uid, mode 0600/0700).
    local denied first
    # rclone repeats an error (per attempt, in the final summary): count distinct paths.
    denied="$(grep -o "${SOURCE_DIR}/[^:]*: permission denied" "${RCLONE_LOG}" | sort -u | wc -l | tr -d ' ' || true)"
    first="$(grep -m 1 -o "${SOURCE_DIR}/[^:]*: permission denied" "${RCLONE_LOG}" | sed 's/: permission denied$//' || true)"
    fail "${EXIT_CONFIG}" "cannot read ${denied} paths in ${SOURCE_DIR} as uid $(id -u) (permission denied, e.g. ${first:-?}); run the mover with the volume's runAsUser/fsGroup"
  fi
  for detail in "connection refused" "no such host" "i/o timeout" "network is unreachable" \
    "no route to host" "context deadline exceeded" "connection reset by peer" \
    "Client.Timeout exceeded" "server misbehaving" "TLS handshake timeout"; do
    if [[ "${log}" == *"${detail}"* ]]; then
      fail "${EXIT_FAILED}" "endpoint ${ENDPOINT} unreachable (${detail})"
    fi
  done
  for detail in "x509:" "server gave HTTP response to HTTPS client" "tls:" "malformed HTTP response"; do
    if [[ "${log}" == *"${detail}"* ]]; then
      fail "${EXIT_FAILED}" "TLS to ${ENDPOINT} failed (${detail%:}); check TLS_HOST and BUCKET_PORT"
    fi
  done
  # Unknown: the last rclone error line is the most useful thing to show.
  detail="$(grep -E 'ERROR|Failed to|error' "${RCLONE_LOG}" | tail -n 1 | sed -E 's/^[0-9\/]+ [0-9:]+ //')"
  fail "${EXIT_FAILED}" "rclone ${step} failed: ${detail:-exit status $2}"
}

# Final statistics block of the last rclone run, e.g. "Transferred:   3 / 3, 100%".
stat_value() {
  local pattern="$1"
  grep -E "${pattern}" "${RCLONE_LOG}" | tail -n 1 || true
}

main() {
  collect_secrets
  prepare_work_dir
  set_rclone_defaults

  if [[ -n "${MOVER_REMOTE:-}" ]]; then
    configure_remote
  else
    configure_s3
  fi
  local prefix
  prefix="$(destination_prefix)"
  if [[ -z "${prefix}" ]]; then
    DESTINATION="${BUCKET_ROOT}"
  elif [[ "${BUCKET_ROOT}" == *: ]]; then
    # "remote:" + "prefix", not "remote:/prefix" (an absolute path on path backends).
    DESTINATION="${BUCKET_ROOT}${prefix}"
  else
    DESTINATION="${BUCKET_ROOT}/${prefix}"
  fi

  local verify
  verify="${MOVER_VERIFY:-hash}"
  case "${verify}" in
    hash | size | none) ;;
    *) fail "${EXIT_CONFIG}" "MOVER_VERIFY must be hash, size or none" ;;
  esac

  [[ -d "${SOURCE_DIR}" ]] || fail "${EXIT_CONFIG}" "source directory ${SOURCE_DIR} does not exist (is the volume mounted?)"
  [[ -r "${SOURCE_DIR}" && -x "${SOURCE_DIR}" ]] || fail "${EXIT_CONFIG}" "source directory ${SOURCE_DIR} is not readable by uid $(id -u)"

  command -v rclone >/dev/null 2>&1 || fail "${EXIT_FAILED}" "rclone not found on PATH"
  log "$(rclone version 2>/dev/null | head -n 1)"
  log "source ${SOURCE_DIR}/ -> destination ${DESTINATION} (${ENDPOINT}), running as uid $(id -u)"

  local status=0
  if [[ -z "${MOVER_REMOTE:-}" ]]; then
    # The bucket must exist already: listing its top level proves access and existence
    # without creating anything.
    log "checking bucket ${BUCKET_NAME}"
    run_rclone lsf --max-depth 1 --dirs-only "${BUCKET_ROOT}" >/dev/null || status=$?
    ((status == 0)) || classify_failure probe "${status}"
  fi

  log "syncing"
  run_rclone sync "${SOURCE_DIR}/" "${DESTINATION}" || status=$?
  ((status == 0)) || classify_failure sync "${status}"

  local files bytes checks deleted
  files="$(stat_value '^Transferred:[[:space:]]+[0-9]+ / [0-9]+, ' | sed -E 's/^Transferred:[[:space:]]+([0-9]+) .*/\1/')"
  bytes="$(stat_value '^Transferred:[[:space:]]+[0-9.]+ [A-Za-z]+ / ' | sed -E 's/^Transferred:[[:space:]]+([0-9.]+ [A-Za-z]+) .*/\1/')"
  checks="$(stat_value '^Checks:' | sed -E 's/^Checks:[[:space:]]+([0-9]+) .*/\1/')"
  deleted="$(stat_value '^Deleted:' | sed -E 's/^Deleted:[[:space:]]+([0-9]+) .*/\1/')"
  local summary="transferred ${files:-0} files (${bytes:-0 B}), checked ${checks:-0}, deleted ${deleted:-0}"
  log "sync complete: ${summary}"

  if [[ "${verify}" == none ]]; then
    succeed "backup to ${DESTINATION} complete: ${summary}; not verified (MOVER_VERIFY=none)"
  fi
  log "verifying (${verify})"
  local check_args=(check --one-way)
  [[ "${verify}" == size ]] && check_args+=(--size-only)
  run_rclone "${check_args[@]}" "${SOURCE_DIR}/" "${DESTINATION}" || status=$?
  if ((status != 0)); then
    local differences
    differences="$(grep -Eo '[0-9]+ differences found' "${RCLONE_LOG}" | tail -n 1 | grep -Eo '^[0-9]+' || true)"
    if [[ -n "${differences}" && "${differences}" != 0 ]]; then
      fail "${EXIT_FAILED}" "verification failed: ${differences} files differ between ${SOURCE_DIR} and ${DESTINATION}"
    fi
    classify_failure check "${status}"
  fi
  local matching
  matching="$(grep -Eo '[0-9]+ matching files' "${RCLONE_LOG}" | tail -n 1 | grep -Eo '^[0-9]+' || true)"
  succeed "backup to ${DESTINATION} complete: ${summary}; verified ${matching:-0} files (${verify})"
}

main "$@"
