#!/usr/bin/env bash
# Starts the services the tests and the apps need, on this machine, without Docker:
#   - Apache Kafka, one KRaft node (broker + controller), fetched from Maven Central by tools/kafka/pom.xml,
#     running in the background with its state under .services/kafka;
#   - PostgreSQL on 127.0.0.1:5432 (starts or installs the Debian cluster if it does not answer), database standoff.
# Idempotent: a second run finds them running and only prints the connection settings.
# Prints on stdout exactly (and nothing else):
#   KAFKA_BROKERS=127.0.0.1:9092
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/standoff
# Progress goes to stderr. Settings: see scripts/lib-services.sh. SERVICES_SKIP_POSTGRES=1 leaves Postgres alone
# (and prints no DATABASE_URL line). Stop with scripts/services-down.sh.
set -euo pipefail

SCRIPT_NAME="services-up"
# shellcheck source=scripts/lib-services.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib-services.sh"

STARTED_AT=$SECONDS

apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "$* missing and apt-get is not available: install it by hand"
  say "installing $* from Debian's packages"
  if [[ -z "${APT_UPDATED:-}" ]]; then
    run_detached env DEBIAN_FRONTEND=noninteractive apt-get update -qq || die "apt-get update failed"
    APT_UPDATED=1
  fi
  run_detached env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" || die "apt-get install $* failed"
}

# ---------------------------------------------------------------------------------------------------------------
# Kafka
# ---------------------------------------------------------------------------------------------------------------

kafka_version() { sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$KAFKA_TOOLS_DIR/pom.xml" | head -n 1; }

ensure_java_and_maven() {
  command -v java >/dev/null 2>&1 || apt_install openjdk-17-jre-headless
  command -v mvn >/dev/null 2>&1 || apt_install maven
}

# Fetch the broker's jars once; the stamp names the Kafka version and the pom's hash, so a bump refetches.
ensure_kafka_libs() {
  local stamp
  stamp="kafka=$(kafka_version) pom=$(sha256sum "$KAFKA_TOOLS_DIR/pom.xml" | cut -c1-16)"
  if [[ -f "$KAFKA_LIB_DIR/.stamp" && "$(cat "$KAFKA_LIB_DIR/.stamp")" == "$stamp" ]]; then
    return 0
  fi
  local t0=$SECONDS tmp="$SERVICES_DIR/kafka-lib.tmp"
  say "fetching Kafka $(kafka_version) jars from Maven Central into tools/kafka/lib (once per version)"
  rm -rf "$tmp"
  # (Maven 3.8 prints bare colour resets even in batch mode: strip them.)
  # shellcheck disable=SC2086 # MVN_ARGS is a list of arguments
  if ! mvn -q -B -Dstyle.color=never ${MVN_ARGS:-} -f "$KAFKA_TOOLS_DIR/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$tmp" -Dmdep.useRepositoryLayout=false </dev/null 2>&1 |
    sed -e 's/\x1b\[[0-9;]*m//g' -e '/^[[:space:]]*$/d' >&2; then
    rm -rf "$tmp"
    die "mvn could not fetch Kafka's jars (see above)"
  fi
  rm -rf "$KAFKA_LIB_DIR"
  mv "$tmp" "$KAFKA_LIB_DIR"
  printf '%s\n' "$stamp" >"$KAFKA_LIB_DIR/.stamp"
  say "fetched $(find "$KAFKA_LIB_DIR" -name '*.jar' | wc -l) jars in $((SECONDS - t0))s"
}

render_kafka_config() {
  mkdir -p "$KAFKA_DATA_DIR" "$KAFKA_LOG_DIR"
  sed -e "s|@HOST@|$KAFKA_HOST|g" \
    -e "s|@KAFKA_PORT@|$KAFKA_PORT|g" \
    -e "s|@CONTROLLER_PORT@|$KAFKA_CONTROLLER_PORT|g" \
    -e "s|@DATA_DIR@|$KAFKA_DATA_DIR|g" \
    "$KAFKA_TOOLS_DIR/server.properties.template" >"$KAFKA_CONFIG"
}

random_cluster_id() {
  # Kafka's Uuid: 16 random bytes in URL-safe base64 without padding (22 characters), not starting with '-'.
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    [[ "$id" != -* ]] && break
  done
  printf '%s\n' "$id"
}

# Format the storage once. The --standalone format records the controller's address in the metadata log, so a
# change of host or controller port means a fresh format (the data is development data).
format_kafka_storage() {
  local quorum="$KAFKA_HOST:$KAFKA_CONTROLLER_PORT" marker="$KAFKA_STATE_DIR/formatted-for"
  if [[ -f "$KAFKA_DATA_DIR/meta.properties" ]]; then
    if [[ "$(cat "$marker" 2>/dev/null)" == "$quorum" ]]; then return 0; fi
    say "controller address changed to $quorum: wiping $KAFKA_DATA_DIR and formatting again"
    rm -rf "$KAFKA_DATA_DIR"
    mkdir -p "$KAFKA_DATA_DIR"
  fi
  local cluster_id
  cluster_id="$(random_cluster_id)"
  say "formatting KRaft storage (cluster id $cluster_id)"
  java -Dlog4j2.configurationFile="$KAFKA_TOOLS_DIR/tools-log4j2.properties" -cp "$KAFKA_LIB_DIR/*" \
    kafka.tools.StorageTool format -t "$cluster_id" -c "$KAFKA_CONFIG" --standalone --ignore-formatted \
    </dev/null >&2 || die "kafka.tools.StorageTool format failed"
  printf '%s\n' "$quorum" >"$marker"
}

# Can a client talk to the broker? kafkajs (the project's client) when installed, else Kafka's own ClusterTool.
kafka_describe() {
  if command -v node >/dev/null 2>&1 && [[ -f "$ROOT/node_modules/kafkajs/package.json" ]]; then
    # shellcheck disable=SC2016 # JavaScript, not shell
    (cd "$ROOT" && KAFKAJS_NO_PARTITIONER_WARNING=1 node -e '
      const { Kafka, logLevel } = require("kafkajs");
      const kafka = new Kafka({ clientId: "services-up", brokers: [process.argv[1]], logLevel: logLevel.NOTHING,
        connectionTimeout: 2000, requestTimeout: 5000, retry: { retries: 0 } });
      const admin = kafka.admin();
      admin.connect()
        .then(() => admin.describeCluster())
        .then((c) => { process.stderr.write(`[services-up] kafkajs: cluster ${c.clusterId}, controller ${c.controller}, ${c.brokers.length} broker(s)\n`); })
        .then(() => admin.disconnect())
        .then(() => process.exit(0), () => process.exit(1));
    ' "$KAFKA_BROKERS_VALUE") </dev/null
  else
    java -Dlog4j2.configurationFile="$KAFKA_TOOLS_DIR/tools-log4j2.properties" -cp "$KAFKA_LIB_DIR/*" \
      org.apache.kafka.tools.ClusterTool cluster-id --bootstrap-server "$KAFKA_BROKERS_VALUE" </dev/null >&2 2>/dev/null
  fi
}

kafka_log_tail() {
  local f
  for f in "$KAFKA_LOG_DIR/server.log" "$KAFKA_OUT"; do
    if [[ -s "$f" ]]; then
      printf -- '----- last lines of %s -----\n' "$f" >&2
      tail -n 40 "$f" >&2
    fi
  done
}

# Wait until the log says the server started and a client can describe the cluster.
wait_for_kafka() {
  local pid="$1" deadline=$((SECONDS + KAFKA_START_TIMEOUT))
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      kafka_log_tail
      rm -f "$KAFKA_PID_FILE"
      die "Kafka (pid $pid) exited during start-up; logs in $KAFKA_LOG_DIR"
    fi
    if grep -q 'Kafka Server started' "$KAFKA_LOG_DIR/server.log" 2>/dev/null &&
      port_open "$KAFKA_HOST" "$KAFKA_PORT" && kafka_describe; then
      return 0
    fi
    if ((SECONDS >= deadline)); then
      kafka_log_tail
      say "stopping the broker that did not become ready (pid $pid)"
      kill -TERM "$pid" 2>/dev/null || true
      rm -f "$KAFKA_PID_FILE"
      die "Kafka did not become ready within ${KAFKA_START_TIMEOUT}s (KAFKA_START_TIMEOUT); logs in $KAFKA_LOG_DIR"
    fi
    sleep 0.5
  done
}

start_kafka() {
  ensure_java_and_maven
  ensure_kafka_libs
  render_kafka_config
  format_kafka_storage
  if port_open "$KAFKA_HOST" "$KAFKA_CONTROLLER_PORT"; then
    die "controller port $KAFKA_HOST:$KAFKA_CONTROLLER_PORT is taken by another process; set KAFKA_CONTROLLER_PORT"
  fi
  # A fresh server.log, so 'Kafka Server started' is this run's.
  local f
  for f in server.log kafka.out; do
    if [[ -f "$KAFKA_LOG_DIR/$f" ]]; then mv -f "$KAFKA_LOG_DIR/$f" "$KAFKA_LOG_DIR/$f.prev"; fi
  done
  rm -f "$KAFKA_LOG_DIR"/server.log.[0-9]*

  say "starting Kafka $(kafka_version) (KRaft, node 1) on $KAFKA_BROKERS_VALUE, controller $KAFKA_HOST:$KAFKA_CONTROLLER_PORT"
  # Own session (setsid), no inherited stdio or lock: callers that capture our stdout must not wait on the JVM.
  (
    cd "$KAFKA_STATE_DIR"
    exec setsid java "-Xmx$KAFKA_HEAP" -Xms256m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
      -Dkafka.logs.dir="$KAFKA_LOG_DIR" \
      -Dlog4j2.configurationFile="$KAFKA_TOOLS_DIR/log4j2.properties" \
      -cp "$KAFKA_LIB_DIR/*" kafka.Kafka "$KAFKA_CONFIG"
  ) </dev/null >"$KAFKA_OUT" 2>&1 9>&- &
  local pid=$!
  printf '%s\n' "$pid" >"$KAFKA_PID_FILE"
  state_set KAFKA_VERSION "$(kafka_version)"
  wait_for_kafka "$pid"
  say "Kafka is ready (pid $pid, log $KAFKA_LOG_DIR/server.log)"
}

ensure_kafka() {
  local pid
  if pid="$(kafka_pid)"; then
    if port_open "$KAFKA_HOST" "$KAFKA_PORT" && kafka_describe; then
      say "Kafka is already running (pid $pid) on $KAFKA_BROKERS_VALUE"
      local running
      running="$(state_get KAFKA_VERSION)"
      if [[ -n "$running" && "$running" != "$(kafka_version)" ]]; then
        say "note: it runs Kafka $running but tools/kafka/pom.xml asks for $(kafka_version):" \
          "npm run services:down && npm run services:up to switch"
      fi
    else
      say "Kafka (pid $pid) is running but not answering yet; waiting"
      wait_for_kafka "$pid"
      say "Kafka is ready (pid $pid)"
    fi
    return 0
  fi
  rm -f "$KAFKA_PID_FILE"
  if port_open "$KAFKA_HOST" "$KAFKA_PORT"; then
    if kafka_describe; then
      say "a Kafka not started by this script answers on $KAFKA_BROKERS_VALUE; using it (services-down will not stop it)"
      return 0
    fi
    die "port $KAFKA_BROKERS_VALUE is taken by something that is not a Kafka broker; set KAFKA_PORT"
  fi
  start_kafka
}

# ---------------------------------------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------------------------------------

pg_cluster_version() {
  find /etc/postgresql -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null | sort -V | tail -n 1
}

install_postgres() {
  apt_install postgresql
  local version
  version="$(pg_cluster_version)"
  [[ -n "$version" ]] || die "postgresql was installed but no cluster exists under /etc/postgresql"
  # Development database on loopback only: trust, like the machines this project runs on (no password in
  # DATABASE_URL).
  local hba="/etc/postgresql/$version/$POSTGRES_CLUSTER/pg_hba.conf"
  if ! grep -q 'standoff services-up' "$hba"; then
    {
      printf '# standoff services-up: trust on loopback (development only)\n'
      printf 'host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n'
      cat "$hba"
    } >"$hba.new"
    chown --reference="$hba" "$hba.new"
    chmod --reference="$hba" "$hba.new"
    mv "$hba.new" "$hba"
  fi
}

ensure_postgres() {
  if command -v pg_isready >/dev/null 2>&1 && postgres_ready; then
    say "PostgreSQL answers on $POSTGRES_HOST:$POSTGRES_PORT"
  else
    if ! command -v pg_ctlcluster >/dev/null 2>&1 || [[ -z "$(pg_cluster_version)" ]]; then
      install_postgres
    fi
    local version
    version="$(pg_cluster_version)"
    say "starting PostgreSQL $version (cluster $POSTGRES_CLUSTER)"
    if ! run_detached pg_ctlcluster --skip-systemctl-redirect "$version" "$POSTGRES_CLUSTER" start; then
      postgres_ready || die "pg_ctlcluster $version $POSTGRES_CLUSTER start failed"
    fi
    state_set POSTGRES_STARTED "$version/$POSTGRES_CLUSTER"
    local deadline=$((SECONDS + 60))
    until postgres_ready; do
      ((SECONDS < deadline)) || die "PostgreSQL did not answer on $POSTGRES_HOST:$POSTGRES_PORT within 60s"
      sleep 0.5
    done
    say "PostgreSQL is ready"
  fi

  local psql=(psql -X -q -v ON_ERROR_STOP=1 -h "$POSTGRES_HOST" -p "$POSTGRES_PORT" -U "$POSTGRES_USER" -d postgres)
  local exists
  exists="$("${psql[@]}" -tAc "select 1 from pg_database where datname = '$POSTGRES_DB'" </dev/null)" ||
    die "cannot query PostgreSQL as $POSTGRES_USER on $POSTGRES_HOST:$POSTGRES_PORT"
  if [[ "$exists" != "1" ]]; then
    say "creating database $POSTGRES_DB"
    if ! "${psql[@]}" -c "create database \"$POSTGRES_DB\"" </dev/null >&2; then
      # Someone else may have created it in the meantime.
      exists="$("${psql[@]}" -tAc "select 1 from pg_database where datname = '$POSTGRES_DB'" </dev/null)"
      [[ "$exists" == "1" ]] || die "could not create database $POSTGRES_DB"
    fi
  fi
}

# ---------------------------------------------------------------------------------------------------------------

take_lock
ensure_kafka
if [[ "${SERVICES_SKIP_POSTGRES:-}" != "1" ]]; then
  ensure_postgres
fi
say "services ready in $((SECONDS - STARTED_AT))s"

printf 'KAFKA_BROKERS=%s\n' "$KAFKA_BROKERS_VALUE"
if [[ "${SERVICES_SKIP_POSTGRES:-}" != "1" ]]; then
  printf 'DATABASE_URL=%s\n' "$DATABASE_URL_VALUE"
fi
