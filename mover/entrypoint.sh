#!/bin/bash -p
# DataMover mover: backs up the volume mounted at /data to object storage with rclone, or
# restores a backup into it, verifies the copy, and reports one structured result.
# Operator <-> mover contract: docs/mover-protocol.md; behaviour and messages: docs/mover.md.
#
# Runs as uid 65534 (or root when the operator asks for owners to be restored) on a read-only
# root filesystem; the only writable places are $HOME (/config), the termination-message file
# and, for a restore, /data.
#
# The pod's environment is partly tenant-controlled. "bash -p" (privileged mode) ignores
# BASH_ENV, ENV, SHELLOPTS, BASHOPTS, CDPATH, GLOBIGNORE and exported functions; the block
# below neutralises what -p does not cover. Never add `set -x`, `eval`, `source` or print the
# environment: the first would leak credentials, the others would run tenant text.

# --- immunity to the environment (must stay first) ---------------------------------------
set +o xtrace +o verbose +o posix
IFS=$' \t\n'
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH
hash -r
shopt -u expand_aliases
# TMOUT would time out `read`, FUNCNEST would cap function nesting, BASH_COMPAT and
# POSIXLY_CORRECT change semantics, EXECIGNORE changes command lookup; locale variables change
# character classes; the loader and libc variables would reach every program started here.
# BASH_XTRACEFD stays: unsetting it closes the descriptor it names (BASH_XTRACEFD=1 would close
# stdout), and it has no effect while xtrace is off, which nothing here can turn on.
unset -v BASH_ENV ENV CDPATH GLOBIGNORE PS4 TMOUT FUNCNEST BASH_COMPAT EXECIGNORE \
  POSIXLY_CORRECT GCONV_PATH NLSPATH LOCPATH HOSTALIASES RES_OPTIONS LOCALDOMAIN MALLOC_CHECK_ \
  MALLOC_PERTURB_ GREP_OPTIONS GREP_COLOR GREP_COLORS JQ_COLORS LANG LANGUAGE TMPDIR 2>/dev/null || true
for _name in $(compgen -e); do
  case "${_name}" in
    LD_* | LC_* | GLIBC_TUNABLES) unset -v "${_name}" ;;
  esac
done
unset -v _name
export LC_ALL=C
set -euo pipefail
umask 077

readonly EXIT_FAILED=1        # possibly transient (network, rclone error): the Job may retry
readonly EXIT_CONFIG=2        # a variable is missing or invalid: retrying cannot help
readonly EXIT_DESTINATION=3   # credentials refused or bucket missing: retrying cannot help

readonly SECRET_PREFIX=DATAMOVER_SECRET_
readonly MANIFEST_NAME=.datamover-manifest.json
# Written into a folder before a prune deletes its manifest; such a folder is never restored (docs/mover-protocol.md).
readonly TOMBSTONE_NAME=.datamover-pruning
readonly RESULT_LIMIT=4096
# The names a Secret key (or spec.additionalEnv) may set besides RCLONE_* (docs/mover-protocol.md).
readonly STORAGE_KEYS=" AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_REGION BUCKET_HOST BUCKET_NAME BUCKET_PORT TLS_HOST MOVER_REMOTE MOVER_REMOTE_PATH MOVER_VERIFY ENCRYPTION_PASSWORD ENCRYPTION_SALT "

SOURCE_DIR="${MOVER_SOURCE_DIR:-/data}"
TERMINATION_PATH="${TERMINATION_MESSAGE_PATH:-/dev/termination-log}"
ENDPOINT=""
BUCKET_ROOT=""
WORK_DIR=""
RCLONE_LOG=""
FILTER_FILE=""
IGNORED_SECRET_KEYS=()
START_TIME="$(date -u +%Y-%m-%dT%H:%M:%SZ)"

# Values that must never reach the log, the termination message or the manifest.
SECRETS=()
SCRUBBED=""

# --- environment allowlist ------------------------------------------------------------------

is_storage_key() {
  [[ "${STORAGE_KEYS}" == *" $1 "* ]]
}

# RCLONE_* names that would run programs, open listeners, write outside $HOME, dump
# credentials or redirect the mover's own remote (docs/mover-protocol.md).
is_denied_rclone_name() {
  case "$1" in
    RCLONE_CONFIG | RCLONE_CONFIG_DATAMOVER_* | RCLONE_CONFIG_PASS | RCLONE_PASSWORD_COMMAND | \
      RCLONE_*_COMMAND | RCLONE_METADATA_MAPPER | RCLONE_*_SSH | RCLONE_RC* | RCLONE_DUMP* | \
      RCLONE_LOG_FILE | RCLONE_CACHE_DIR | RCLONE_TEMP_DIR | RCLONE_ASK_PASSWORD | RCLONE_CRYPT_*)
      return 0
      ;;
  esac
  return 1
}

# Imports the allowed Secret keys (DATAMOVER_SECRET_<KEY> -> <KEY>) unless a plain variable of
# that name (spec.additionalEnv) exists, records the others by name, and removes every
# DATAMOVER_SECRET_* variable so no program started later sees them. Denied RCLONE_* names
# are removed whatever their origin. Values are only ever assigned, never expanded as code.
import_environment() {
  local name key
  local -a names
  mapfile -t names < <(compgen -e | sort)
  for name in "${names[@]}"; do
    if [[ "${name}" == "${SECRET_PREFIX}"* ]]; then
      key="${name#"${SECRET_PREFIX}"}"
      if [[ -n "${key}" ]] && { is_storage_key "${key}" || { [[ "${key}" == RCLONE_* ]] && ! is_denied_rclone_name "${key}"; }; }; then
        if [[ ! -v "${key}" ]]; then
          export "${key}=${!name}"
        fi
      else
        IGNORED_SECRET_KEYS+=("${key}")
      fi
      unset -v "${name}"
    fi
  done
  mapfile -t names < <(compgen -e | sort)
  for name in "${names[@]}"; do
    if [[ "${name}" == RCLONE_* ]] && is_denied_rclone_name "${name}"; then
      unset -v "${name}"
      # RCLONE_CONFIG=/dev/null is what older images set themselves; not worth a warning.
      [[ "${name}" == RCLONE_CONFIG ]] || DENIED_PLAIN+=("${name}")
    fi
  done
}
DENIED_PLAIN=()

collect_secrets() {
  local name value part
  local -a names parts
  mapfile -t names < <(compgen -e)
  for name in "${names[@]}"; do
    case "${name}" in
      AWS_SECRET_ACCESS_KEY | AWS_ACCESS_KEY_ID | AWS_SESSION_TOKEN | ENCRYPTION_PASSWORD | ENCRYPTION_SALT | \
        RCLONE_*KEY* | RCLONE_*SECRET* | RCLONE_*PASS* | RCLONE_*TOKEN* | RCLONE_*SAS* | \
        RCLONE_*CREDENTIAL* | RCLONE_*ACCOUNT*)
        value="${!name:-}"
        # Lines are scrubbed one at a time: a multi-line value (a PEM key) is scrubbed per line.
        mapfile -t parts <<<"${value}"
        for part in "${parts[@]}"; do
          # Very short values (e.g. "1") would mangle unrelated text; they are not secrets anyway.
          [[ ${#part} -ge 4 ]] && SECRETS+=("${part}")
        done
        ;;
    esac
  done
  return 0
}

# --- output ---------------------------------------------------------------------------------

# Sets SCRUBBED to $1 with every secret value replaced by ***. No subshell: every log line and
# message goes through it (rclone's output goes through scrub_stream).
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
# Kubernetes keeps at most 4096 bytes; callers keep within that (LC_ALL=C: lengths are bytes).
write_termination_message() {
  if [[ -w "${TERMINATION_PATH}" ||
    (-n "${TERMINATION_MESSAGE_PATH:-}" && ! -e "${TERMINATION_PATH}" && -w "$(dirname "${TERMINATION_PATH}")") ]]; then
    { printf '%s' "$1" >"${TERMINATION_PATH}"; } 2>/dev/null || true
  fi
}

# The single place a run ends in failure: one plain final line, also the termination message.
fail() {
  local code="$1" message
  message="$(scrub "$2")"
  message="${message//$'\n'/ }"
  message="${message:0:4000}"
  printf 'mover: FAILED: %s\n' "${message}" >&2
  write_termination_message "${message}"
  exit "${code}"
}

# The result object (docs/mover-protocol.md), one line of ASCII JSON of at most 4096 bytes: a
# long ignored-key list is shortened, the JSON never cut.
# Arguments: mode path folder destination files bytes verified message [extra]; an empty
# destination or verified is left out (inspect mode has neither), extra is a JSON object of
# mode-specific fields (inspect: sourceCapacity).
result_json() {
  local keep="${#IGNORED_SECRET_KEYS[@]}" json message="$8" extra="${9:-"{}"}"
  while :; do
    json="$(jq -cna \
      --arg mode "$1" --arg path "$2" --arg folder "$3" --arg destination "$4" \
      --argjson files "$5" --argjson bytes "$6" --arg verified "$7" --arg message "${message}" \
      --argjson extra "${extra}" \
      '{kind: "DataMoverResult", formatVersion: 1, mode: $mode, outcome: "Succeeded", path: $path,
        folder: $folder, destination: $destination}
        | if $destination == "" then del(.destination) else . end
        | . + $extra + {files: $files, bytes: $bytes, verified: $verified}
        | if $verified == "" then del(.verified) else . end
        | . + {ignoredSecretKeys: $ARGS.positional, message: $message}' \
      --args "${IGNORED_SECRET_KEYS[@]:0:${keep}}")"
    if ((${#json} <= RESULT_LIMIT)); then
      printf '%s' "${json}"
      return 0
    fi
    if ((keep > 0)); then
      keep=$((keep / 2))
      message="$8 (${#IGNORED_SECRET_KEYS[@]} Secret keys ignored, list shortened)"
    elif ((${#message} > 64)); then
      message="${message:0:64}"
    else
      # Only the path and folder are left to make it long; they are not ours to cut.
      fail "${EXIT_CONFIG}" "the result would exceed ${RESULT_LIMIT} bytes: DATAMOVER_PATH and the folder are too long"
    fi
  done
}

succeed() {
  local json
  # Two steps: a failing result_json must end the run (set -e sees the assignment's status).
  json="$(result_json "$@")"
  scrub_into "${json}"
  json="${SCRUBBED}"
  log "$8"
  printf '%s\n' "${json}"
  write_termination_message "${json}"
  exit 0
}

# --- configuration ----------------------------------------------------------------------------

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
  # The manifest is never data: excluded at the folder's root on both sides of every transfer.
  # A file of filters, because a --exclude flag would replace a user's RCLONE_EXCLUDE.
  FILTER_FILE="${WORK_DIR}/exclude-manifest"
  printf '/%s\n' "${MANIFEST_NAME}" >"${FILTER_FILE}"
  # rclone must not write anywhere but $HOME; the root filesystem is read-only.
  export RCLONE_CACHE_DIR="${WORK_DIR}/cache"
  export TMPDIR="${WORK_DIR}/tmp"
  export XDG_CACHE_HOME="${WORK_DIR}/cache"
  # Configuration comes from the environment only.
  export RCLONE_CONFIG=/dev/null
}

# Defaults set through the environment rather than flags, so that a user's RCLONE_* variable wins.
set_rclone_defaults() {
  # Bounded retries: an unreachable endpoint must fail in seconds; the Job retries the pod.
  export RCLONE_RETRIES="${RCLONE_RETRIES:-1}"
  export RCLONE_LOW_LEVEL_RETRIES="${RCLONE_LOW_LEVEL_RETRIES:-2}"
  export RCLONE_CONTIMEOUT="${RCLONE_CONTIMEOUT:-5s}"
  export RCLONE_TIMEOUT="${RCLONE_TIMEOUT:-30s}"
  # One line per copied/deleted file, and a statistics block every minute and at the end.
  # (rclone refuses a log level together with -v/-q: RCLONE_VERBOSE or RCLONE_QUIET replace it.)
  if [[ -z "${RCLONE_VERBOSE:-}" && -z "${RCLONE_QUIET:-}" ]]; then
    export RCLONE_LOG_LEVEL="${RCLONE_LOG_LEVEL:-INFO}"
  fi
  export RCLONE_STATS="${RCLONE_STATS:-1m}"
  export RCLONE_STATS_LOG_LEVEL="${RCLONE_STATS_LOG_LEVEL:-NOTICE}"
  # Recursive listing: fewer (billed) list requests on S3, and it avoids a delimiter-listing
  # bug of some S3 emulators (s3rver) that hides directories containing only directories.
  export RCLONE_FAST_LIST="${RCLONE_FAST_LIST:-true}"
  if [[ -n "${RCLONE_EXCLUDE_FROM:-}" ]]; then
    log "warning: RCLONE_EXCLUDE_FROM is replaced by the mover's own exclude file (the manifest); use RCLONE_EXCLUDE or RCLONE_FILTER"
  fi
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
  if [[ "${remote^^}" == DATAMOVER ]]; then
    fail "${EXIT_CONFIG}" "MOVER_REMOTE must not be 'datamover' (the mover's own remote)"
  fi
  local type_var="RCLONE_CONFIG_${remote^^}_TYPE"
  [[ -n "${!type_var:-}" ]] || fail "${EXIT_CONFIG}" "missing required variable ${type_var} (MOVER_REMOTE=${remote})"
  # Kept as given: a leading "/" is meaningful for path backends (SFTP absolute path).
  path="${MOVER_REMOTE_PATH:-${BUCKET_NAME:-}}"
  ENDPOINT="remote ${remote} (${!type_var})"
  BUCKET_ROOT="${remote}:${path%/}"
}

# Prints the value of variable $1 as a relative object path: no slashes at either end (they
# would create empty key segments), no "." or ".." segments.
relative_path() {
  local name="$1" value="${!1:-}"
  while [[ "${value}" == /* ]]; do value="${value#/}"; done
  while [[ "${value}" == */ ]]; do value="${value%/}"; done
  if [[ -n "${value}" && ("/${value}/" == *"/../"* || "/${value}/" == *"/./"* || "/${value}/" == *"//"*) ]]; then
    fail "${EXIT_CONFIG}" "${name} must not contain empty, '.' or '..' segments"
  fi
  if [[ "${value}" == *$'\n'* || "${value}" == *:* ]]; then
    fail "${EXIT_CONFIG}" "${name} must not contain ':' or line breaks"
  fi
  printf '%s' "${value}"
}

backup_folder() {
  local add
  add="$(parse_bool ADD_TIMESTAMP_PREFIX false)" || fail "${EXIT_CONFIG}" "ADD_TIMESTAMP_PREFIX must be true or false"
  if [[ -n "${DATAMOVER_DESTINATION_PREFIX+set}" ]]; then
    # The operator already decided the folder (also when it decided on none: mirror mode).
    relative_path DATAMOVER_DESTINATION_PREFIX
  elif [[ "${add}" == true ]]; then
    # Stand-alone use without the operator.
    date -u +%Y-%m-%d-%H%M%S
  fi
}

# Joins the bucket root and relative segments into an rclone location ("remote:" + "a/b", not
# "remote:/a/b", which is an absolute path on path backends).
location() {
  if [[ -n "${CRYPT_ROOT}" ]]; then
    # The crypt remote wraps bucket/path already: the path ($1) is its root.
    join_location "${CRYPT_ROOT}" "${@:2}"
  else
    join_location "${BUCKET_ROOT}" "$@"
  fi
}

# The location as stored, never through the crypt remote: the encryption marker, display.
plain_location() {
  join_location "${BUCKET_ROOT}" "$@"
}

join_location() {
  local result="$1" segment
  shift
  for segment in "$@"; do
    [[ -n "${segment}" ]] || continue
    if [[ "${result}" == *: ]]; then
      result="${result}${segment}"
    else
      result="${result}/${segment}"
    fi
  done
  printf '%s' "${result}"
}

# A display form of a location for people and the result: s3://bucket/path/folder/.
display_location() {
  local joined="" segment
  for segment in "$@"; do
    [[ -n "${segment}" ]] && joined="${joined}${segment}/"
  done
  if [[ -z "${MOVER_REMOTE:-}" ]]; then
    printf 's3://%s/%s' "${BUCKET_NAME}" "${joined}"
  else
    printf '%s/' "$(plain_location "$@")"
  fi
}

# --- rclone -----------------------------------------------------------------------------------

# Runs rclone with its output scrubbed and shown live. All but the per-file INFO lines are
# also kept in $RCLONE_LOG, to classify errors and read the final statistics.
run_rclone() {
  local status=0
  rclone "$@" 2>&1 | scrub_stream || status=$?
  return "${status}"
}

# The scrubbing of scrub_into for a stream, in one awk process: a first backup prints a line per
# file, and bash's read takes a system call per byte of a pipe, which cost more CPU than the sync.
# The values reach awk through its environment, where they already are, never its command line.
scrub_stream() {
  local list=""
  [[ ${#SECRETS[@]} -eq 0 ]] || list="$(printf '%s\n' "${SECRETS[@]}")"
  DATAMOVER_SCRUB_VALUES="${list}" awk -v logfile="${RCLONE_LOG}" '
    BEGIN {
      count = split(ENVIRON["DATAMOVER_SCRUB_VALUES"], found, "\n")
      for (i = 1; i <= count; i++) if (length(found[i]) > 0) values[++n] = found[i]
      printf "" > logfile
    }
    {
      line = $0
      for (i = 1; i <= n; i++) {
        out = ""
        while ((at = index(line, values[i])) > 0) {
          out = out substr(line, 1, at - 1) "***"
          line = substr(line, at + length(values[i]))
        }
        line = out line
      }
      print line
      fflush()
      if (index(line, " INFO  : ") == 0) print line > logfile
    }'
}

# Runs rclone for its standard output (a listing, a file); its log goes to $RCLONE_LOG only.
capture_rclone() {
  rclone "$@" 2>"${RCLONE_LOG}"
}

# The user's filter variables shape the data, never the mover's own objects (the manifest): with
# any filter set, rclone refuses single-file commands ("can't limit to single files").
readonly FILTER_VARIABLES=(RCLONE_EXCLUDE RCLONE_EXCLUDE_FROM RCLONE_EXCLUDE_IF_PRESENT RCLONE_INCLUDE
  RCLONE_INCLUDE_FROM RCLONE_FILTER RCLONE_FILTER_FROM RCLONE_FILES_FROM RCLONE_FILES_FROM_RAW
  RCLONE_MIN_SIZE RCLONE_MAX_SIZE RCLONE_MIN_AGE RCLONE_MAX_AGE RCLONE_MAX_DEPTH RCLONE_DELETE_EXCLUDED
  RCLONE_IGNORE_CASE RCLONE_METADATA_FILTER RCLONE_METADATA_INCLUDE RCLONE_METADATA_EXCLUDE
  RCLONE_METADATA_INCLUDE_FROM RCLONE_METADATA_EXCLUDE_FROM)
capture_rclone_unfiltered() {
  local name
  local -a unset_args=()
  for name in "${FILTER_VARIABLES[@]}"; do
    unset_args+=(-u "${name}")
  done
  env "${unset_args[@]}" rclone "$@" 2>"${RCLONE_LOG}"
}

# Turns rclone's error output into one actionable sentence.
classify_failure() {
  local step="$1" log code detail
  log="$(scrub "$(cat "${RCLONE_LOG}")")"
  if [[ "${step}" == probe ]]; then
    # The probe's output (a listing) was not shown; its errors are the context for the verdict.
    printf '%s\n' "${log}" | grep -E 'ERROR|Failed to|caused by|status code' || true
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
    local denied first
    # rclone repeats an error (per attempt, in the final summary): count distinct paths.
    denied="$(printf '%s\n' "${log}" | grep -o "${SOURCE_DIR}/[^:]*: permission denied" | sort -u | wc -l | tr -d ' ' || true)"
    first="$(printf '%s\n' "${log}" | grep -m 1 -o "${SOURCE_DIR}/[^:]*: permission denied" | sed 's/: permission denied$//' || true)"
    if [[ "${MODE}" == restore ]]; then
      fail "${EXIT_CONFIG}" "cannot write ${denied} paths in ${SOURCE_DIR} as uid $(id -u) (permission denied, e.g. ${first:-?}); set the restore's spec.moverPod.securityContext.runAsUser/fsGroup to the volume's owner"
    fi
    # Typical for database volumes (files owned by the database's uid, mode 0600/0700).
    fail "${EXIT_CONFIG}" "cannot read ${denied} paths in ${SOURCE_DIR} as uid $(id -u) (permission denied, e.g. ${first:-?}); set spec.moverPod.securityContext.runAsUser/fsGroup to the volume's owner"
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
  detail="$(printf '%s\n' "${log}" | grep -E 'ERROR|Failed to|error' | tail -n 1 | sed -E 's/^[0-9\/]+ [0-9:]+ //' || true)"
  fail "${EXIT_FAILED}" "rclone ${step} failed: ${detail:-exit status $2}"
}

# Final statistics block of the last rclone run, e.g. "Transferred:   3 / 3, 100%": sets
# STATS_FILES, STATS_BYTES, STATS_CHECKS and STATS_DELETED from the last such lines of $RCLONE_LOG
# (empty when absent). Read by bash itself: starting processes is what a loaded node makes slow.
STATS_FILES=""
STATS_BYTES=""
STATS_CHECKS=""
STATS_DELETED=""
read_final_stats() {
  local line
  local -r files_re='^Transferred:[[:space:]]+([0-9]+) / [0-9]+, ' bytes_re='^Transferred:[[:space:]]+([0-9.]+ [A-Za-z]+) / ' \
    checks_re='^Checks:[[:space:]]+([0-9]+) ' deleted_re='^Deleted:[[:space:]]+([0-9]+) '
  STATS_FILES="" STATS_BYTES="" STATS_CHECKS="" STATS_DELETED=""
  while IFS= read -r line || [[ -n "${line}" ]]; do
    if [[ "${line}" =~ ${files_re} ]]; then
      STATS_FILES="${BASH_REMATCH[1]}"
    elif [[ "${line}" =~ ${bytes_re} ]]; then
      STATS_BYTES="${BASH_REMATCH[1]}"
    elif [[ "${line}" =~ ${checks_re} ]]; then
      STATS_CHECKS="${BASH_REMATCH[1]}"
    elif [[ "${line}" =~ ${deleted_re} ]]; then
      STATS_DELETED="${BASH_REMATCH[1]}"
    fi
  done <"${RCLONE_LOG}"
}

# Sets SUMMARY from the statistics read by read_final_stats.
SUMMARY=""
summarize_transfer() {
  SUMMARY="transferred ${STATS_FILES:-0} files (${STATS_BYTES:-0 B}), checked ${STATS_CHECKS:-0}, deleted ${STATS_DELETED:-0}"
}

transfer_summary() {
  read_final_stats
  summarize_transfer
  printf '%s' "${SUMMARY}"
}

# Verifies that every file of $1 is in $2 (rclone check --one-way); sets MATCHING to the number
# of matching files. $3 is the verification mode (hash, size). Not run in a subshell: the
# check's output belongs in the log.
MATCHING=0
VERIFIED_BY=""
verify_copy() {
  local source="$1" target="$2" verify="$3" status=0
  local -a args=(check --one-way --links --exclude-from "${FILTER_FILE}")
  [[ "${verify}" == size ]] && args+=(--size-only)
  [[ "${verify}" == hash ]] && crypt_hash_check args "${target}"
  run_rclone "${args[@]}" "${source}" "${target}" || status=$?
  if ((status != 0)); then
    local differences
    differences="$(grep -Eo '[0-9]+ differences found' "${RCLONE_LOG}" | tail -n 1 | grep -Eo '^[0-9]+' || true)"
    if [[ -n "${differences}" && "${differences}" != 0 ]]; then
      fail "${EXIT_FAILED}" "verification failed: ${differences} files differ between ${source} and ${target}"
    fi
    classify_failure check "${status}"
  fi
  MATCHING="$(grep -Eo '[0-9]+ matching files' "${RCLONE_LOG}" | tail -n 1 | grep -Eo '^[0-9]+' || true)"
  MATCHING="${MATCHING:-0}"
  # Without a hash both sides have (SFTP with hashing off, WebDAV, crypt) rclone check silently
  # compares sizes; the result must then say "size", not "hash".
  VERIFIED_BY="${verify}"
  if [[ "${verify}" == hash ]]; then
    local unchecked
    unchecked="$(grep -Eo '[0-9]+ hashes could not be checked' "${RCLONE_LOG}" | tail -n 1 | grep -Eo '^[0-9]+' || true)"
    if grep -q 'No common hash found' "${RCLONE_LOG}" || [[ -n "${unchecked}" && "${unchecked}" != 0 ]]; then
      log "warning: no hash common to ${source} and ${target} for ${unchecked:-all} files: verified by size only"
      VERIFIED_BY=size
    fi
  fi
}

# Prints "files bytes" of a tree as the transfers see it (same filters, symlinks as links).
tree_size() {
  local json status=0
  json="$(capture_rclone size --json --links --exclude-from "${FILTER_FILE}" "$1")" || status=$?
  ((status == 0)) || classify_failure size "${status}"
  jq -r '"\(.count // 0) \(.bytes // 0)"' <<<"${json}"
}

probe_bucket() {
  local status=0
  [[ -z "${MOVER_REMOTE:-}" ]] || return 0
  # The bucket must exist already: listing its top level proves access and existence
  # without creating anything.
  log "checking bucket ${BUCKET_NAME}"
  run_rclone lsf --max-depth 1 --dirs-only "${BUCKET_ROOT}" >/dev/null || status=$?
  ((status == 0)) || classify_failure probe "${status}"
}

# --- the manifest -------------------------------------------------------------------------------

# Every directory of the source (the root is ""), NUL-terminated records "mode uid gid epoch path".
list_directories() {
  find "${SOURCE_DIR}/" -type d -printf '%m %U %G %T@ %P\0' 2>"${WORK_DIR}/find.log" ||
    fail "${EXIT_CONFIG}" "cannot list the directories of ${SOURCE_DIR}: $(head -n 1 "${WORK_DIR}/find.log")"
}

# Writes the manifest of a verified backup to $1. jq builds it: any file name (quotes, line
# breaks, unicode) stays valid JSON.
# Arguments: file path folder files bytes verified
write_manifest() {
  local file="$1" directories="${WORK_DIR}/directories"
  list_directories >"${directories}"
  jq -n \
    --arg name "${DATAMOVER_NAME:-}" --arg namespace "${DATAMOVER_NAMESPACE:-}" --arg uid "${DATAMOVER_UID:-}" \
    --arg pvc "${DATAMOVER_SOURCE_PVC:-}" --arg capacity "${DATAMOVER_SOURCE_CAPACITY:-}" \
    --arg scheduleName "${DATAMOVER_SCHEDULE_NAME:-}" --arg scheduleUid "${DATAMOVER_SCHEDULE_UID:-}" \
    --arg path "$2" --arg folder "$3" --argjson files "$4" --argjson bytes "$5" --arg verified "$6" \
    --arg started "${START_TIME}" --arg finished "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    --arg rclone "$(rclone version 2>/dev/null | head -n 1 | sed -E 's/^rclone //')" \
    --rawfile directories "${directories}" --argjson encrypted "$([[ -n "${CRYPT_ROOT}" ]] && printf true || printf false)" \
    '
    def rfc3339: (split(".") as $p | ($p[0] | tonumber | todate) as $s
      | if ($p | length) > 1 then $s[0:19] + "." + (($p[1] + "000000000")[0:9]) + "Z" else $s end);
    def fourdigits: ("0000" + .)[-4:];
    {
      formatVersion: 1,
      kind: "DataMoverBackup",
      dataMover: { name: $name, namespace: $namespace, uid: $uid },
      sourcePvc: $pvc,
      sourceCapacity: $capacity,
      path: $path,
      folder: $folder,
      startTime: $started,
      endTime: $finished,
      files: $files,
      bytes: $bytes,
      verified: $verified,
      rcloneVersion: $rclone,
      metadata: true,
      encrypted: $encrypted,
      directories: [ $directories | split("\u0000")[] | select(length > 0) | split(" ")
        | { path: (.[4:] | join(" ")), mode: (.[0] | fourdigits), uid: (.[1] | tonumber), gid: (.[2] | tonumber), mtime: (.[3] | rfc3339) } ]
    } + (if $scheduleUid == "" then {} else { schedule: { name: $scheduleName, uid: $scheduleUid } } end)' >"${file}" ||
    fail "${EXIT_FAILED}" "cannot build the manifest (jq failed)"
}

# --- encryption at rest (docs/mover.md, "Encryption at rest") -----------------------------------

# A plaintext object next to the encrypted folders, so that a restore without the key can say why
# it cannot read them (a listing without the key shows only meaningless names). No key material.
readonly CRYPT_MARKER_NAME=.datamover-encrypted
readonly CRYPT_MARKER='{"encrypted":true,"cipher":"rclone-crypt"}'
readonly CRYPT_MIN_PASSWORD=8
CRYPT_ROOT=""

# With ENCRYPTION_PASSWORD, every data location goes through an env-only crypt remote wrapping
# bucket/path, so file names, folder names (timestamps) and contents are encrypted in the pod.
configure_encryption() {
  local path obscured
  if [[ -z "${ENCRYPTION_PASSWORD:-}" ]]; then
    [[ -z "${ENCRYPTION_SALT:-}" ]] || log "warning: ENCRYPTION_SALT is ignored without ENCRYPTION_PASSWORD: nothing is encrypted"
    return 0
  fi
  # Shorter values could not be scrubbed from the output without mangling it, and are guessable.
  ((${#ENCRYPTION_PASSWORD} >= CRYPT_MIN_PASSWORD)) ||
    fail "${EXIT_CONFIG}" "ENCRYPTION_PASSWORD must be at least ${CRYPT_MIN_PASSWORD} characters"
  if [[ -n "${ENCRYPTION_SALT:-}" ]] && ((${#ENCRYPTION_SALT} < CRYPT_MIN_PASSWORD)); then
    fail "${EXIT_CONFIG}" "ENCRYPTION_SALT must be at least ${CRYPT_MIN_PASSWORD} characters"
  fi
  path="$(relative_path DATAMOVER_PATH)"
  export RCLONE_CONFIG_DATAMOVER_CRYPT_TYPE=crypt
  RCLONE_CONFIG_DATAMOVER_CRYPT_REMOTE="$(plain_location "${path}")"
  export RCLONE_CONFIG_DATAMOVER_CRYPT_REMOTE
  export RCLONE_CONFIG_DATAMOVER_CRYPT_FILENAME_ENCRYPTION=standard
  export RCLONE_CONFIG_DATAMOVER_CRYPT_DIRECTORY_NAME_ENCRYPTION=true
  # rclone wants the obscured form; through stdin, never argv (visible in ps). Obscuring is
  # reversible, so the obscured values are scrubbed like the originals.
  obscured="$(printf '%s' "${ENCRYPTION_PASSWORD}" | rclone obscure - 2>/dev/null)" ||
    fail "${EXIT_FAILED}" "rclone obscure failed for ENCRYPTION_PASSWORD"
  SECRETS+=("${obscured}")
  export RCLONE_CONFIG_DATAMOVER_CRYPT_PASSWORD="${obscured}"
  if [[ -n "${ENCRYPTION_SALT:-}" ]]; then
    obscured="$(printf '%s' "${ENCRYPTION_SALT}" | rclone obscure - 2>/dev/null)" ||
      fail "${EXIT_FAILED}" "rclone obscure failed for ENCRYPTION_SALT"
    SECRETS+=("${obscured}")
    export RCLONE_CONFIG_DATAMOVER_CRYPT_PASSWORD2="${obscured}"
  fi
  CRYPT_ROOT="datamover_crypt:"
  log "encryption at rest: on (rclone crypt; file and folder names and contents under $(display_location "${path}"))"
}

write_encryption_marker() {
  local status=0
  [[ -n "${CRYPT_ROOT}" ]] || return 0
  printf '%s\n' "${CRYPT_MARKER}" >"${WORK_DIR}/encryption-marker"
  capture_rclone_unfiltered rcat "$(plain_location "$1" "${CRYPT_MARKER_NAME}")" <"${WORK_DIR}/encryption-marker" || status=$?
  ((status == 0)) || classify_failure marker "${status}"
}

# Before a restore or inspect: a backup that is encrypted needs the key, a key needs an encrypted
# backup, and the key must be the one that wrote it (a wrong key lists nothing: rclone skips the
# names it cannot decrypt).
check_encryption() {
  local path="$1" marker="" plain="" decrypted=""
  marker="$(capture_rclone_unfiltered cat "$(plain_location "${path}" "${CRYPT_MARKER_NAME}")")" || marker=""
  if [[ -z "${CRYPT_ROOT}" ]]; then
    if [[ "${marker}" == *'"encrypted":true'* ]]; then
      fail "${EXIT_CONFIG}" "the backup at $(display_location "${path}") is encrypted; the Secret has no ENCRYPTION_PASSWORD"
    fi
    return 0
  fi
  if [[ "${marker}" != *'"encrypted":true'* ]]; then
    fail "${EXIT_CONFIG}" "ENCRYPTION_PASSWORD is set but $(display_location "${path}") holds no encrypted backup (no ${CRYPT_MARKER_NAME}); restore an unencrypted backup with a Secret without ENCRYPTION_PASSWORD"
  fi
  plain="$(capture_rclone_unfiltered lsf --max-depth 1 --fast-list=false --exclude "/${CRYPT_MARKER_NAME}" "$(plain_location "${path}")")" || plain=""
  decrypted="$(capture_rclone_unfiltered lsf --max-depth 1 --fast-list=false "${CRYPT_ROOT}")" || decrypted=""
  if [[ -n "${plain}" && -z "${decrypted}" ]]; then
    fail "${EXIT_CONFIG}" "wrong ENCRYPTION_PASSWORD or ENCRYPTION_SALT: cannot decrypt the backup's manifest (no name under $(display_location "${path}") decrypts with this key)"
  fi
}

# After a failed read through the crypt remote: a name that decrypts by chance still has contents
# that do not authenticate with the wrong key.
fail_if_undecryptable() {
  [[ -n "${CRYPT_ROOT}" ]] || return 0
  if grep -qE 'failed to authenticate decrypted block|bad password|not an encrypted file|illegal base32' "${RCLONE_LOG}" 2>/dev/null; then
    fail "${EXIT_CONFIG}" "wrong ENCRYPTION_PASSWORD or ENCRYPTION_SALT: cannot decrypt the backup's manifest"
  fi
}

# Hashes do not pass through crypt (plain check would silently compare sizes): a backup compares
# the plain tree with its encrypted copy (cryptcheck); a restore downloads and compares the bytes.
# $1 names the caller's argument array, $2 is the check's target.
crypt_hash_check() {
  local -n check_args="$1"
  [[ -n "${CRYPT_ROOT}" ]] || return 0
  if [[ "$2" == "${CRYPT_ROOT}"* ]]; then
    check_args[0]=cryptcheck
  else
    check_args+=(--download)
  fi
}

# --- backup -------------------------------------------------------------------------------------

# Wall-clock seconds since $1 (an EPOCHREALTIME value), to the millisecond.
seconds_since() {
  local start="${1/./}" now="${EPOCHREALTIME/./}" ms
  ms=$(((10#${now} - 10#${start}) / 1000))
  printf '%d.%03d' $((ms / 1000)) $((ms % 1000))
}

# One line with the duration of each step of the run, so a slow backup shows where its time goes.
TIMINGS=""
PHASE_STARTED=""
phase_start() {
  PHASE_STARTED="${EPOCHREALTIME}"
}
phase_done() {
  TIMINGS="${TIMINGS:+${TIMINGS}, }$1 $(seconds_since "${PHASE_STARTED}") s"
}

# True when the sync itself verified every file of the source ($1 files), so a second pass that
# reads the whole volume again and lists the whole destination again would only repeat it.
#
# rclone compares, right after each upload, the MD5 it computed from the bytes it read with the MD5
# the server reports for the stored object (the ETag of a single-part upload, read back with a HEAD
# request; a multipart upload's md5chksum metadata, whose parts S3 checked against Content-MD5), and
# fails the sync on a mismatch ("corrupted on transfer"). That covers the backup only when every
# source file was uploaded in this run: a file the sync skipped because an object of the same size
# and time was already there needs the full check, as does anything where the per-upload comparison
# is weaker (no common hash: crypt, other backends) or turned off by the user's variables.
sync_verified_every_file() {
  local files="$1" name
  [[ -z "${CRYPT_ROOT}" && -z "${MOVER_REMOTE:-}" ]] || return 1
  for name in RCLONE_IGNORE_CHECKSUM RCLONE_S3_DISABLE_CHECKSUM RCLONE_S3_NO_HEAD RCLONE_DRY_RUN; do
    [[ -z "${!name:-}" || "${!name,,}" == false ]] || return 1
  done
  [[ -n "${STATS_FILES}" && "${STATS_FILES}" == "${files}" && "${STATS_CHECKS:-0}" == 0 ]]
}

# Starts counting the files and bytes of the volume in the background (tree_size, with its own log).
SOURCE_COUNT_PID=""
start_source_count() {
  rclone size --json --links --exclude-from "${FILTER_FILE}" "${SOURCE_DIR}/" \
    >"${WORK_DIR}/source-size.json" 2>"${WORK_DIR}/source-size.log" &
  SOURCE_COUNT_PID=$!
}

# Waits for the count and sets SOURCE_COUNT to "files bytes".
SOURCE_COUNT=""
finish_source_count() {
  local status=0
  wait "${SOURCE_COUNT_PID}" || status=$?
  if ((status != 0)); then
    cp "${WORK_DIR}/source-size.log" "${RCLONE_LOG}"
    classify_failure size "${status}"
  fi
  SOURCE_COUNT="$(jq -r '"\(.count // 0) \(.bytes // 0)"' "${WORK_DIR}/source-size.json")" ||
    fail "${EXIT_FAILED}" "cannot read the size of ${SOURCE_DIR} (jq failed)"
}

run_backup() {
  local path folder destination display verify status=0 started="${EPOCHREALTIME}"
  path="$(relative_path DATAMOVER_PATH)"
  folder="$(backup_folder)"
  destination="$(location "${path}" "${folder}")"
  display="$(display_location "${path}" "${folder}")"
  verify="$(verify_mode)"

  [[ -d "${SOURCE_DIR}" ]] || fail "${EXIT_CONFIG}" "source directory ${SOURCE_DIR} does not exist (is the volume mounted?)"
  [[ -r "${SOURCE_DIR}" && -x "${SOURCE_DIR}" ]] || fail "${EXIT_CONFIG}" "source directory ${SOURCE_DIR} is not readable by uid $(id -u)"
  if [[ -e "${SOURCE_DIR}/${MANIFEST_NAME}" || -L "${SOURCE_DIR}/${MANIFEST_NAME}" ]]; then
    log "warning: ${SOURCE_DIR}/${MANIFEST_NAME} is skipped: that name at the volume's root is reserved for the backup's manifest"
  fi

  log "$(rclone version 2>/dev/null | head -n 1)"
  log "source ${SOURCE_DIR}/ -> destination ${destination} (${ENDPOINT}), running as uid $(id -u)"
  phase_start
  probe_bucket
  write_encryption_marker "${path}"
  phase_done probe

  # Counting the volume (files and bytes as the transfers see them) does not depend on the upload,
  # so it runs alongside it instead of after it.
  start_source_count
  log "syncing"
  phase_start
  # --metadata keeps mode, owner and times as object metadata, --links keeps symbolic links as
  # .rclonelink objects; both as flags so a user's variable cannot turn them off.
  run_rclone sync --metadata --links --exclude-from "${FILTER_FILE}" "${SOURCE_DIR}/" "${destination}" || status=$?
  ((status == 0)) || classify_failure sync "${status}"
  phase_done sync
  # Read before the next rclone run replaces $RCLONE_LOG; the counts also decide the verification.
  local summary
  read_final_stats
  summarize_transfer
  summary="${SUMMARY}"
  log "sync complete: ${summary}"

  local size files bytes
  phase_start
  finish_source_count
  size="${SOURCE_COUNT}"
  files="${size% *}"
  bytes="${size#* }"
  phase_done size

  local verified_text
  phase_start
  if [[ "${verify}" == none ]]; then
    verified_text="not verified (MOVER_VERIFY=none)"
  elif [[ "${verify}" == hash ]] && sync_verified_every_file "${files}"; then
    log "verified during the upload: all ${files} files were uploaded in this run and each object's MD5 at ${ENDPOINT} matched the MD5 of the bytes read"
    verified_text="verified ${files} files (${verify}, during the upload)"
  else
    log "verifying (${verify})"
    verify_copy "${SOURCE_DIR}/" "${destination}" "${verify}"
    verify="${VERIFIED_BY}"
    verified_text="verified ${MATCHING} files (${verify})"
  fi
  phase_done verify

  log "writing ${MANIFEST_NAME}"
  phase_start
  write_manifest "${WORK_DIR}/manifest.json" "${path}" "${folder}" "${files}" "${bytes}" "${verify}"
  status=0
  # Quietly: its "Copied" line would read like a data file in the log.
  capture_rclone_unfiltered rcat "$(location "${path}" "${folder}" "${MANIFEST_NAME}")" <"${WORK_DIR}/manifest.json" || status=$?
  ((status == 0)) || classify_failure manifest "${status}"
  phase_done manifest
  log "timings: ${TIMINGS}; total $(seconds_since "${started}") s"

  report_ignored_keys
  succeed backup "${path}" "${folder}" "${display}" "${files}" "${bytes}" "${verify}" \
    "backup to ${destination} complete: ${summary}; ${verified_text}"
}

verify_mode() {
  local verify="${MOVER_VERIFY:-hash}"
  case "${verify}" in
    hash | size | none) printf '%s' "${verify}" ;;
    *) fail "${EXIT_CONFIG}" "MOVER_VERIFY must be hash, size or none" ;;
  esac
}

report_ignored_keys() {
  if ((${#IGNORED_SECRET_KEYS[@]} > 0)); then
    log "ignored Secret keys (not allowed by the protocol): ${IGNORED_SECRET_KEYS[*]}"
  fi
}

# --- restore ------------------------------------------------------------------------------------

# Sets LATEST to the folder (under the path) of the newest complete backup: the manifest with
# the newest endTime. The path's own manifest (mirror mode) counts as the folder "".
LATEST=""
latest_folder() {
  local path="$1" listing candidate manifest end best="" best_end="" status=0
  listing="$(capture_rclone_unfiltered lsf --files-only --max-depth 2 --fast-list=false \
    --include "/${MANIFEST_NAME}" --include "/*/${MANIFEST_NAME}" "$(location "${path}")")" || status=$?
  if ((status != 0)); then
    # A path with nothing in it lists as "directory not found" on object stores.
    grep -q 'directory not found' "${RCLONE_LOG}" || classify_failure list "${status}"
  fi
  while IFS= read -r candidate; do
    [[ -n "${candidate}" ]] || continue
    candidate="${candidate%"${MANIFEST_NAME}"}"
    candidate="${candidate%/}"
    if is_being_pruned "${path}" "${candidate}"; then
      log "warning: ignoring ${candidate:-(root)}: a prune is deleting it (${TOMBSTONE_NAME})"
      continue
    fi
    manifest="$(capture_rclone_unfiltered cat "$(location "${path}" "${candidate}" "${MANIFEST_NAME}")")" || {
      fail_if_undecryptable
      continue
    }
    end="$(jq -r 'select(.kind == "DataMoverBackup" and .formatVersion == 1) | .endTime // empty' <<<"${manifest}" 2>/dev/null || true)"
    if [[ -z "${end}" ]]; then
      log "warning: ignoring ${candidate:-(root)}: its ${MANIFEST_NAME} is not a DataMover backup manifest"
      continue
    fi
    if [[ -z "${best_end}" || "${end}" > "${best_end}" ]]; then
      best="${candidate}"
      best_end="${end}"
    fi
  done <<<"${listing}"
  [[ -n "${best_end}" ]] || fail "${EXIT_CONFIG}" "no complete backup under $(display_location "${path}") (no folder with a ${MANIFEST_NAME})"
  log "latest complete backup: ${best:-(root)} (ended ${best_end})"
  LATEST="${best}"
}

# True when the location holds anything at all.
location_has_objects() {
  local listing
  listing="$(capture_rclone_unfiltered lsf --max-depth 1 --fast-list=false "$1")" || return 1
  [[ -n "${listing}" ]]
}

# Applies the owners (as root) and modes recorded in the objects' metadata to the restored files.
restore_file_metadata() {
  local source="$1" root="$2" metadata="${WORK_DIR}/metadata.json" value status=0
  capture_rclone lsjson -R --files-only --metadata --exclude-from "${FILTER_FILE}" "${source}" >"${metadata}" || status=$?
  ((status == 0)) || classify_failure list "${status}"
  # One entry per file: relative path (symbolic links without ".rclonelink"), type, mode bits,
  # owner. rclone lists control characters as their Unicode pictures (U+2400-U+241F, "␊" for a
  # line break): mapped back to the bytes the restored file names have. Paths with ".."
  # segments are never touched.
  jq -c 'def local_name: explode | map(if . >= 9216 and . <= 9247 then . - 9216 else . end) | implode;
    [ .[] | select(.Metadata.mode? != null)
      | (.Metadata.mode | (("000000" + .)[-6:])) as $m
      | (.Path | local_name) as $p
      | { path: (if ($m[0:2] == "12") then ($p | sub("\\.rclonelink$"; "")) else $p end),
          link: ($m[0:2] == "12"), mode: $m[2:6],
          owner: (if (.Metadata.uid? != null and .Metadata.gid? != null) then "\(.Metadata.uid):\(.Metadata.gid)" else null end) }
      | select(("/" + .path + "/") | contains("/../") | not) ]' "${metadata}" >"${metadata}.entries" ||
    fail "${EXIT_FAILED}" "cannot read the backup's file metadata (jq failed)"
  if [[ "$(id -u)" == 0 ]]; then
    while IFS= read -r value; do
      jq -j --arg owner "${value}" '.[] | select(.owner == $owner) | .path + "\u0000"' "${metadata}.entries" |
        (cd "${root}" && xargs -0 -r chown -h "${value}" --) || METADATA_FAILURES=$((METADATA_FAILURES + 1))
    done < <(jq -r '[.[].owner | select(. != null)] | unique[]' "${metadata}.entries")
  fi
  while IFS= read -r value; do
    jq -j --arg mode "${value}" '.[] | select(.link | not) | select(.mode == $mode) | .path + "\u0000"' "${metadata}.entries" |
      (cd "${root}" && xargs -0 -r chmod "${value}" --) || METADATA_FAILURES=$((METADATA_FAILURES + 1))
  done < <(jq -r '[.[] | select(.link | not) | .mode] | unique[]' "${metadata}.entries")
}
METADATA_FAILURES=0

# Recreates the manifest's directories (empty ones included) with their owners (as root), modes
# and modification times. Runs after every file is in place: writing a file changes its
# directory's time, and a read-only directory mode would block writing into it.
restore_directories() {
  local manifest="$1" root="$2" entries="${WORK_DIR}/directories.json" value path mtime
  jq -c '[ .directories[]? | select(("/" + .path + "/") | contains("/../") | not)
      | .path |= (if . == "" then "." else . end) ]' "${manifest}" >"${entries}" ||
    fail "${EXIT_FAILED}" "cannot read the directories of the manifest (jq failed)"
  jq -j '.[] | .path + "\u0000"' "${entries}" | (cd "${root}" && xargs -0 -r mkdir -p --) ||
    METADATA_FAILURES=$((METADATA_FAILURES + 1))
  if [[ "$(id -u)" == 0 ]]; then
    while IFS= read -r value; do
      jq -j --arg owner "${value}" '.[] | select("\(.uid):\(.gid)" == $owner) | .path + "\u0000"' "${entries}" |
        (cd "${root}" && xargs -0 -r chown -h "${value}" --) || METADATA_FAILURES=$((METADATA_FAILURES + 1))
    done < <(jq -r '[.[] | select(.uid != null and .gid != null) | "\(.uid):\(.gid)"] | unique[]' "${entries}")
  fi
  local exact
  while IFS= read -r value; do
    [[ "${value}" =~ ^[0-7]{3,4}$ ]] || continue
    # Five digits: GNU chmod keeps a directory's setgid bit for a shorter numeric mode, and the
    # kubelet's fsGroup makes the target's directories setgid (new ones inherit it); the
    # recorded mode is set exactly.
    printf -v exact '%05o' "$((8#${value}))"
    jq -j --arg mode "${value}" '.[] | select(.mode == $mode) | .path + "\u0000"' "${entries}" |
      (cd "${root}" && xargs -0 -r chmod "${exact}" --) 2>>"${WORK_DIR}/metadata.log" ||
      METADATA_FAILURES=$((METADATA_FAILURES + 1))
  done < <(jq -r '[.[].mode | select(. != null)] | unique[]' "${entries}")
  # Deepest first is not needed (a child's time change does not touch its parent), but the
  # times must come last.
  while IFS= read -r -d '' path && IFS= read -r -d '' mtime; do
    [[ -n "${mtime}" ]] || continue
    touch -h -m -d "${mtime}" -- "${root}/${path}" 2>>"${WORK_DIR}/metadata.log" ||
      METADATA_FAILURES=$((METADATA_FAILURES + 1))
  done < <(jq -j '.[] | .path + "\u0000" + (.mtime // "") + "\u0000"' "${entries}")
}

# Resolves the backup to restore or inspect, as DATAMOVER_PATH and DATAMOVER_RESTORE_FOLDER ask
# (latest: the newest complete backup), and reads its manifest. Sets BACKUP_PATH, BACKUP_FOLDER
# (what latest resolved to), BACKUP_SOURCE (rclone location), BACKUP_DISPLAY and BACKUP_MANIFEST
# (a local copy of the manifest; empty for a mirror-mode prefix without one, which a restore
# takes as it is). Shared by restore and inspect mode, so both resolve the same folder.
BACKUP_PATH=""
BACKUP_FOLDER=""
BACKUP_SOURCE=""
BACKUP_DISPLAY=""
BACKUP_MANIFEST=""
resolve_backup() {
  local path folder
  path="$(relative_path DATAMOVER_PATH)"
  check_encryption "${path}"
  if [[ "${DATAMOVER_RESTORE_FOLDER:-}" == latest ]]; then
    latest_folder "${path}"
    folder="${LATEST}"
  else
    folder="$(relative_path DATAMOVER_RESTORE_FOLDER)"
  fi
  BACKUP_PATH="${path}"
  BACKUP_FOLDER="${folder}"
  BACKUP_SOURCE="$(location "${path}" "${folder}")"
  BACKUP_DISPLAY="$(display_location "${path}" "${folder}")"

  if [[ -n "${folder}" ]] && is_being_pruned "${path}" "${folder}"; then
    fail "${EXIT_CONFIG}" "folder ${folder} under $(display_location "${path}") is being deleted by a prune (${TOMBSTONE_NAME}): not a complete backup"
  fi
  BACKUP_MANIFEST="${WORK_DIR}/restore-manifest.json"
  if ! capture_rclone_unfiltered cat "$(location "${path}" "${folder}" "${MANIFEST_NAME}")" >"${BACKUP_MANIFEST}" ||
    ! jq -s -e 'length == 1 and (.[0] | type) == "object" and .[0].kind == "DataMoverBackup" and .[0].formatVersion == 1' \
      "${BACKUP_MANIFEST}" >/dev/null 2>&1; then
    # (-s: jq 1.6 -e exits 0 on empty input, which is what a missing object gives.)
    fail_if_undecryptable
    BACKUP_MANIFEST=""
    if [[ -n "${folder}" ]]; then
      if location_has_objects "${BACKUP_SOURCE}"; then
        fail "${EXIT_CONFIG}" "folder ${folder} under $(display_location "${path}") has no ${MANIFEST_NAME}: not a complete backup"
      fi
      fail "${EXIT_CONFIG}" "folder ${folder} not found under $(display_location "${path}")"
    fi
    location_has_objects "${BACKUP_SOURCE}" || fail "${EXIT_CONFIG}" "nothing to restore at ${BACKUP_DISPLAY}"
  fi
}

run_restore() {
  local path folder source display verify delete manifest_file="" status=0
  relative_path DATAMOVER_PATH >/dev/null
  verify="$(verify_mode)"
  delete="$(parse_bool DATAMOVER_RESTORE_DELETE false)" || fail "${EXIT_CONFIG}" "DATAMOVER_RESTORE_DELETE must be true or false"

  [[ -d "${SOURCE_DIR}" ]] || fail "${EXIT_CONFIG}" "target directory ${SOURCE_DIR} does not exist (is the volume mounted?)"
  [[ -w "${SOURCE_DIR}" && -x "${SOURCE_DIR}" ]] || fail "${EXIT_CONFIG}" "target directory ${SOURCE_DIR} is not writable by uid $(id -u)"

  log "$(rclone version 2>/dev/null | head -n 1)"
  probe_bucket

  resolve_backup
  path="${BACKUP_PATH}"
  folder="${BACKUP_FOLDER}"
  source="${BACKUP_SOURCE}"
  display="${BACKUP_DISPLAY}"
  manifest_file="${BACKUP_MANIFEST}"
  if [[ -z "${manifest_file}" ]]; then
    log "warning: ${display} has no ${MANIFEST_NAME} (a mirror-mode backup from an older mover?): restoring what is there, without directory metadata"
  fi

  local verb=copy
  [[ "${delete}" == true ]] && verb=sync
  umask 022
  log "restore ${source} -> ${SOURCE_DIR}/ (${verb}, ${ENDPOINT}), running as uid $(id -u)"
  # Modes and owners are applied from the metadata afterwards (restore_file_metadata): rclone's
  # own --metadata on download would fail on chown as non-root and writes unknown keys as xattrs.
  run_rclone "${verb}" --links --exclude-from "${FILTER_FILE}" "${source}" "${SOURCE_DIR}/" || status=$?
  ((status == 0)) || classify_failure "${verb}" "${status}"
  local summary
  summary="$(transfer_summary)"
  log "${verb} complete: ${summary}"

  local verified_text
  if [[ "${verify}" == none ]]; then
    verified_text="not verified (MOVER_VERIFY=none)"
  else
    log "verifying (${verify})"
    verify_copy "${source}" "${SOURCE_DIR}/" "${verify}"
    verify="${VERIFIED_BY}"
    verified_text="verified ${MATCHING} files (${verify})"
  fi

  if [[ "$(id -u)" != 0 ]]; then
    log "running as uid $(id -u): owners are not restored (files belong to uid $(id -u)); modes and times are"
  fi
  restore_file_metadata "${source}" "${SOURCE_DIR}"
  if [[ -n "${manifest_file}" ]]; then
    restore_directories "${manifest_file}" "${SOURCE_DIR}"
  fi
  local metadata_text=""
  if ((METADATA_FAILURES > 0)); then
    log "warning: ${METADATA_FAILURES} owner/mode/time changes failed: $(head -n 1 "${WORK_DIR}/metadata.log" 2>/dev/null || true)"
    metadata_text="; ${METADATA_FAILURES} metadata changes failed"
  fi
  [[ -n "${manifest_file}" ]] || metadata_text="${metadata_text}; no manifest (directories not restored)"

  local size files bytes
  size="$(tree_size "${source}")"
  files="${size% *}"
  bytes="${size#* }"
  report_ignored_keys
  succeed restore "${path}" "${folder}" "${display}" "${files}" "${bytes}" "${verify}" \
    "restore of ${source} complete: ${summary}; ${verified_text}${metadata_text}"
}

# --- inspect ----------------------------------------------------------------------------------------

# Reports what a restore with the same variables would restore, from the backup's manifest, without
# touching any volume: the operator sizes a new target PVC from it (docs/mover-protocol.md).
run_inspect() {
  local files bytes capacity
  relative_path DATAMOVER_PATH >/dev/null
  log "$(rclone version 2>/dev/null | head -n 1)"
  probe_bucket

  resolve_backup
  [[ -n "${BACKUP_MANIFEST}" ]] ||
    fail "${EXIT_CONFIG}" "${BACKUP_DISPLAY} has no ${MANIFEST_NAME}: not a complete backup, nothing to inspect"
  files="$(jq -r '.files | if type == "number" then floor else 0 end' "${BACKUP_MANIFEST}")" ||
    fail "${EXIT_FAILED}" "cannot read the manifest of ${BACKUP_DISPLAY} (jq failed)"
  bytes="$(jq -r '.bytes | if type == "number" then floor else 0 end' "${BACKUP_MANIFEST}")" ||
    fail "${EXIT_FAILED}" "cannot read the manifest of ${BACKUP_DISPLAY} (jq failed)"
  capacity="$(jq -c '{sourceCapacity: (.sourceCapacity | if type == "string" then . else "" end)}' "${BACKUP_MANIFEST}")" ||
    fail "${EXIT_FAILED}" "cannot read the manifest of ${BACKUP_DISPLAY} (jq failed)"

  report_ignored_keys
  succeed inspect "${BACKUP_PATH}" "${BACKUP_FOLDER}" "" "${files}" "${bytes}" "" \
    "backup ${BACKUP_DISPLAY}: ${files} files, ${bytes} bytes, source capacity $(jq -r '.sourceCapacity | if . == "" then "unknown" else . end' <<<"${capacity}")" \
    "${capacity}"
}

# --- prune ------------------------------------------------------------------------------------------

# True when folder $2 under path $1 carries a prune tombstone.
is_being_pruned() {
  local listing
  listing="$(capture_rclone_unfiltered lsf --files-only --max-depth 1 --fast-list=false \
    --include "/${TOMBSTONE_NAME}" "$(location "$1" "$2")")" || return 1
  [[ -n "${listing}" ]]
}

# Deletes one backup folder so that an interruption at any instant leaves either a whole backup or
# a folder the next prune finishes: tombstone first, then the manifest (the folder stops being a
# complete backup), then the data, the tombstone last.
prune_folder() {
  local path="$1" folder="$2" status=0 tombstone="${WORK_DIR}/tombstone"
  printf '{"kind":"DataMoverPruning","formatVersion":1}\n' >"${tombstone}"
  capture_rclone_unfiltered copyto "${tombstone}" "$(location "${path}" "${folder}" "${TOMBSTONE_NAME}")" ||
    classify_failure copyto $?
  capture_rclone_unfiltered deletefile "$(location "${path}" "${folder}" "${MANIFEST_NAME}")" || status=$?
  if ((status != 0)) && ! grep -q -e 'not found' -e "doesn't exist" "${RCLONE_LOG}"; then
    classify_failure deletefile "${status}"
  fi
  capture_rclone_unfiltered delete --exclude "/${TOMBSTONE_NAME}" "$(location "${path}" "${folder}")" ||
    classify_failure delete $?
  capture_rclone_unfiltered deletefile "$(location "${path}" "${folder}" "${TOMBSTONE_NAME}")" ||
    classify_failure deletefile $?
  log "pruned $(display_location "${path}" "${folder}")"
}

# Lists the folders under the path, one compact JSON object per folder that has a manifest or a
# tombstone: {f: folder, t: startTime, s: schedule uid, m: has manifest, x: has tombstone}. A
# listing that fails ends the run: the operator never decides on a partial listing.
list_backup_folders() {
  local path="$1" listing candidate name manifest status=0
  listing="$(capture_rclone_unfiltered lsf --files-only --max-depth 2 --fast-list=false \
    --include "/*/${MANIFEST_NAME}" --include "/*/${TOMBSTONE_NAME}" "$(location "${path}")")" || status=$?
  if ((status != 0)); then
    grep -q 'directory not found' "${RCLONE_LOG}" || classify_failure list "${status}"
  fi
  declare -A manifests=() tombstones=()
  while IFS= read -r candidate; do
    [[ -n "${candidate}" ]] || continue
    name="${candidate##*/}"
    candidate="${candidate%/*}"
    if [[ "${name}" == "${MANIFEST_NAME}" ]]; then manifests["${candidate}"]=1; else tombstones["${candidate}"]=1; fi
  done <<<"${listing}"
  while IFS= read -r candidate; do
    [[ -n "${candidate}" ]] || continue
    manifest="{}"
    if [[ -n "${manifests[${candidate}]:-}" ]]; then
      manifest="$(capture_rclone_unfiltered cat "$(location "${path}" "${candidate}" "${MANIFEST_NAME}")")" || {
        status=$?
        fail_if_undecryptable
        classify_failure cat "${status}"
      }
      jq -e 'type == "object" and .kind == "DataMoverBackup" and .formatVersion == 1' <<<"${manifest}" >/dev/null 2>&1 || manifest="{}"
    fi
    jq -c --arg f "${candidate}" --argjson m "$([[ "${manifest}" != "{}" ]] && echo true || echo false)" \
      --argjson x "$([[ -n "${tombstones[${candidate}]:-}" ]] && echo true || echo false)" \
      '{f: $f, t: (.startTime // ""), s: (.schedule.uid // ""), m: $m, x: $x}' <<<"${manifest}"
  done < <(printf '%s\n' "${!manifests[@]}" "${!tombstones[@]}" | sort -u)
}

# Mode prune: deletes the folders named in DATAMOVER_PRUNE_FOLDERS (one per line, relative to the
# path), then reports what is left under the path; with none named it only lists (the operator
# plans from the listing, see docs/mover-protocol.md). Only folders that carry this schedule's
# manifest (DATAMOVER_SCHEDULE_UID) or a tombstone are ever deleted.
run_prune() {
  local path folder entries json uid="${DATAMOVER_SCHEDULE_UID:-}" pruned=0 dry
  path="$(relative_path DATAMOVER_PATH)"
  dry="$(parse_bool DATAMOVER_PRUNE_DRY_RUN false)" || fail "${EXIT_CONFIG}" "DATAMOVER_PRUNE_DRY_RUN must be true or false"
  [[ -n "${uid}" ]] || fail "${EXIT_CONFIG}" "missing required variable DATAMOVER_SCHEDULE_UID"
  log "$(rclone version 2>/dev/null | head -n 1)"
  probe_bucket
  # Through the crypt remote folder names are encrypted: list and delete only with the key that
  # wrote them, and fail clearly with a missing or wrong one rather than list nothing.
  check_encryption "${path}"

  entries="$(list_backup_folders "${path}")"
  while IFS= read -r folder; do
    [[ -n "${folder}" ]] || continue
    # shellcheck disable=SC2034 # read by name in relative_path, which names it in its errors
    DATAMOVER_PRUNE_ONE="${folder}"
    folder="$(relative_path DATAMOVER_PRUNE_ONE)"
    [[ -n "${folder}" && "${folder}" != */* ]] || fail "${EXIT_CONFIG}" "DATAMOVER_PRUNE_FOLDERS must name folders directly under the path"
    if ! jq -e -s --arg f "${folder}" --arg uid "${uid}" 'any(.[]; .f == $f and (.x or (.m and .s == $uid)))' <<<"${entries}" >/dev/null; then
      log "warning: not pruning ${folder}: it carries neither this schedule's manifest nor a tombstone"
      continue
    fi
    if [[ "${dry}" == true ]]; then
      log "dry run: would prune $(display_location "${path}" "${folder}")"
      continue
    fi
    prune_folder "${path}" "${folder}"
    pruned=$((pruned + 1))
  done <<<"${DATAMOVER_PRUNE_FOLDERS:-}"
  ((pruned == 0)) || entries="$(list_backup_folders "${path}")"

  # The termination message holds 4096 bytes: the newest folders first, as many as fit (the result says so).
  local limit=100
  while :; do
    json="$(jq -cs --argjson pruned "${pruned}" --argjson limit "${limit}" \
      '(sort_by(.t) | reverse) as $all | {pruned: $pruned, backups: $all[:$limit], truncated: (($all | length) > $limit)}' <<<"${entries}")"
    ((${#json} <= RESULT_LIMIT - 1024 || limit == 0)) && break
    limit=$((limit / 2))
  done
  report_ignored_keys
  succeed prune "${path}" "" "" 0 0 "" "pruned ${pruned} folders under $(display_location "${path}")" "${json}"
}

# --- main ---------------------------------------------------------------------------------------

MODE=""
main() {
  import_environment
  collect_secrets
  MODE="${MOVER_MODE:-backup}"
  case "${MODE}" in
    backup | restore | inspect | prune) ;;
    *) fail "${EXIT_CONFIG}" "MOVER_MODE must be backup, restore, inspect or prune" ;;
  esac
  if ((${#DENIED_PLAIN[@]} > 0)); then
    log "warning: not passed to rclone (not allowed by the protocol): ${DENIED_PLAIN[*]}"
  fi
  command -v rclone >/dev/null 2>&1 || fail "${EXIT_FAILED}" "rclone not found on PATH"
  command -v jq >/dev/null 2>&1 || fail "${EXIT_FAILED}" "jq not found on PATH"
  prepare_work_dir
  set_rclone_defaults

  if [[ -n "${MOVER_REMOTE:-}" ]]; then
    configure_remote
  else
    configure_s3
  fi
  configure_encryption

  if [[ "${MODE}" == prune ]]; then
    run_prune
  elif [[ "${MODE}" == restore ]]; then
    run_restore
  elif [[ "${MODE}" == inspect ]]; then
    run_inspect
  else
    run_backup
  fi
}

main "$@"
