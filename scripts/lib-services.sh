# shellcheck shell=bash disable=SC2034 # the variables are for the scripts that source this file
# Shared by scripts/services-up.sh and scripts/services-down.sh (sourced, not run).
#
# Settings (environment, all optional):
#   KAFKA_HOST              address Kafka listens on and advertises       (127.0.0.1)
#   KAFKA_PORT              broker (PLAINTEXT) port                       (9092)
#   KAFKA_CONTROLLER_PORT   KRaft controller port                          (9093)
#   KAFKA_HEAP              JVM heap for the broker                        (1g)
#   KAFKA_START_TIMEOUT     seconds to wait for the broker to be ready     (180)
#   POSTGRES_HOST           (127.0.0.1)   POSTGRES_PORT (5432)   POSTGRES_USER (postgres)   POSTGRES_DB (standoff)
#   POSTGRES_CLUSTER        Debian cluster started when Postgres does not answer (main; its version is the newest
#                           under /etc/postgresql)
#   SERVICES_DIR            runtime state: pid, config, data, logs         (<repo>/.services)
#   MAVEN_OPTS / MVN_ARGS   passed to mvn (e.g. MAVEN_OPTS=-Dmaven.repo.local=/tmp/m2 for a cold fetch)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

KAFKA_HOST="${KAFKA_HOST:-127.0.0.1}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_HEAP="${KAFKA_HEAP:-1g}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-180}"

POSTGRES_HOST="${POSTGRES_HOST:-127.0.0.1}"
POSTGRES_PORT="${POSTGRES_PORT:-5432}"
POSTGRES_USER="${POSTGRES_USER:-postgres}"
POSTGRES_DB="${POSTGRES_DB:-standoff}"
POSTGRES_CLUSTER="${POSTGRES_CLUSTER:-main}"

SERVICES_DIR="${SERVICES_DIR:-$ROOT/.services}"
KAFKA_TOOLS_DIR="$ROOT/tools/kafka"
KAFKA_LIB_DIR="$KAFKA_TOOLS_DIR/lib"
KAFKA_STATE_DIR="$SERVICES_DIR/kafka"
KAFKA_DATA_DIR="$KAFKA_STATE_DIR/data"
KAFKA_LOG_DIR="$KAFKA_STATE_DIR/logs"
KAFKA_CONFIG="$KAFKA_STATE_DIR/server.properties"
KAFKA_PID_FILE="$KAFKA_STATE_DIR/kafka.pid"
KAFKA_OUT="$KAFKA_LOG_DIR/kafka.out"
STATE_FILE="$SERVICES_DIR/state.env"
LOCK_FILE="$SERVICES_DIR/services.lock"

KAFKA_BROKERS_VALUE="$KAFKA_HOST:$KAFKA_PORT"
DATABASE_URL_VALUE="postgres://$POSTGRES_USER@$POSTGRES_HOST:$POSTGRES_PORT/$POSTGRES_DB"

# Messages go to stderr; stdout carries only the KEY=VALUE lines that callers parse.
say() { printf '[%s] %s\n' "$SCRIPT_NAME" "$*" >&2; }
die() {
  printf '[%s] ERROR: %s\n' "$SCRIPT_NAME" "$*" >&2
  exit 1
}

# Runs a command that may leave a daemon behind (pg_ctlcluster, apt-get's postinst) without handing it our lock
# (fd 9) or our stdout/stderr: a daemon holding them would keep the lock, or a caller reading our output, forever.
# Its output is shown on stderr once it has finished.
run_detached() {
  local out rc=0
  out="$(mktemp)"
  "$@" </dev/null >"$out" 2>&1 9>&- || rc=$?
  cat "$out" >&2
  rm -f "$out"
  return "$rc"
}

take_lock() {
  mkdir -p "$SERVICES_DIR"
  exec 9>"$LOCK_FILE"
  if ! flock -w 600 9; then die "another services script holds $LOCK_FILE for more than 10 minutes"; fi
}

# state.env holds KEY=VALUE lines (what services-up started, so services-down stops only that).
state_get() {
  [[ -f "$STATE_FILE" ]] || return 0
  sed -n "s/^$1=//p" "$STATE_FILE" | tail -n 1
}
state_set() {
  mkdir -p "$SERVICES_DIR"
  local tmp="$STATE_FILE.tmp"
  : >"$tmp"
  if [[ -f "$STATE_FILE" ]]; then grep -v "^$1=" "$STATE_FILE" >"$tmp" || true; fi
  printf '%s=%s\n' "$1" "$2" >>"$tmp"
  mv "$tmp" "$STATE_FILE"
}
state_unset() {
  [[ -f "$STATE_FILE" ]] || return 0
  local tmp="$STATE_FILE.tmp"
  grep -v "^$1=" "$STATE_FILE" >"$tmp" || true
  mv "$tmp" "$STATE_FILE"
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# The pid recorded by services-up, if that process is still our broker (guards against pid reuse).
kafka_pid() {
  [[ -f "$KAFKA_PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$KAFKA_PID_FILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka' || return 1
  printf '%s\n' "$pid"
}

postgres_ready() { pg_isready -q -h "$POSTGRES_HOST" -p "$POSTGRES_PORT" -t 3 >/dev/null 2>&1; }
