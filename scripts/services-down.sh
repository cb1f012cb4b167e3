#!/usr/bin/env bash
# Stops what scripts/services-up.sh started, and only that: the Kafka broker it recorded in .services/kafka/kafka.pid,
# and PostgreSQL only if services-up had to start it. Kafka's data stays (a later services-up resumes it);
# --purge also deletes Kafka's data and logs.
set -euo pipefail

SCRIPT_NAME="services-down"
# shellcheck source=scripts/lib-services.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib-services.sh"

PURGE=0
for arg in "$@"; do
  case "$arg" in
    --purge) PURGE=1 ;;
    *) die "unknown argument $arg (usage: services-down.sh [--purge])" ;;
  esac
done

stop_kafka() {
  local pid
  if ! pid="$(kafka_pid)"; then
    rm -f "$KAFKA_PID_FILE"
    say "Kafka is not running (nothing started by services-up)"
    return 0
  fi
  say "stopping Kafka (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 60))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      say "Kafka did not stop within 60s; killing pid $pid"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
  rm -f "$KAFKA_PID_FILE"
  say "Kafka stopped"
}

stop_postgres() {
  local started
  started="$(state_get POSTGRES_STARTED)" # <version>/<cluster>
  if [[ -z "$started" ]]; then
    say "PostgreSQL left as it was (services-up did not start it)"
    return 0
  fi
  say "stopping PostgreSQL $started (started by services-up)"
  run_detached pg_ctlcluster --skip-systemctl-redirect "${started%%/*}" "${started#*/}" stop ||
    say "pg_ctlcluster stop failed; left as is"
  state_unset POSTGRES_STARTED
}

take_lock
stop_kafka
stop_postgres
if ((PURGE)); then
  say "deleting Kafka data and logs under $KAFKA_STATE_DIR"
  rm -rf "$KAFKA_DATA_DIR" "$KAFKA_LOG_DIR" "$KAFKA_STATE_DIR/formatted-for"
fi
