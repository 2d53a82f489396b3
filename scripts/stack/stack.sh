#!/usr/bin/env bash
# Local service stack: Redis, ClickHouse, Apache Kafka (KRaft, from Maven Central), Prometheus.
#
#   scripts/stack/stack.sh up       start what is missing (reuses services that already answer)
#   scripts/stack/stack.sh down     stop only what this script started (recorded pids)
#   scripts/stack/stack.sh status   print each service; exit 0 if all up, 3 otherwise
#
# Idempotent, non-interactive (CI=true, no stdin). Root is needed only to apt-get install.
# Environment overrides:
#   STREAMREC_STACK_DIR              state dir (default <repo>/.stack)
#   STREAMREC_KAFKA_PORT             client listener port (default 39092)
#   STREAMREC_KAFKA_CONTROLLER_PORT  KRaft controller port (default 39093)
#   STREAMREC_KAFKA_VERSION          org.apache.kafka:kafka_2.13 version (default 4.4.0)
#   STREAMREC_KAFKA_HEAP             JVM heap flags (default -Xmx512m)
#   STREAMREC_KAFKA_CACHE            jar cache (default ~/.cache/streamrec/kafka-<version>/libs)
#   STREAMREC_REDIS_PORT             (default 6379)
#   STREAMREC_PROMETHEUS_PORT        Prometheus web/API port (default 39090)
#   STREAMREC_PROMETHEUS_TARGET      engine metrics endpoint it scrapes (default 127.0.0.1:9464)
#   STREAMREC_STACK_CH_USERS_FILE    passwords of the least-privilege ClickHouse users (default ~/.config/streamrec/clickhouse-users.env)
#   STREAMREC_STACK_TIMEOUT          seconds to wait for each service (default 90)
#   STREAMREC_KAFKA_PROBE=log        readiness from the broker log instead of a kafkajs metadata call
#                                    (automatic when node/kafkajs is not installed yet)
# Outputs: <state>/stack.env, <state>/stack.json, <state>/pids/*.pid, <state>/logs/
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
STATE_DIR="${STREAMREC_STACK_DIR:-$REPO_ROOT/.stack}"
PID_DIR="$STATE_DIR/pids"
LOG_DIR="$STATE_DIR/logs"
KAFKA_DATA="$STATE_DIR/kafka-data"
KAFKA_CONF_DIR="$STATE_DIR/kafka"

REDIS_PORT="${STREAMREC_REDIS_PORT:-6379}"
CH_HTTP_PORT=8123 # fixed by /etc/clickhouse-server/config.xml
CH_CONFIG=/etc/clickhouse-server/config.xml
KAFKA_PORT="${STREAMREC_KAFKA_PORT:-39092}"
KAFKA_CONTROLLER_PORT="${STREAMREC_KAFKA_CONTROLLER_PORT:-39093}"
KAFKA_VERSION="${STREAMREC_KAFKA_VERSION:-4.4.0}"
KAFKA_HEAP="${STREAMREC_KAFKA_HEAP:--Xmx512m}"
KAFKA_LIBS="${STREAMREC_KAFKA_CACHE:-${HOME:-/root}/.cache/streamrec/kafka-$KAFKA_VERSION/libs}"
KAFKA_NODE_ID=1
PROM_PORT="${STREAMREC_PROMETHEUS_PORT:-39090}"
PROM_TARGET="${STREAMREC_PROMETHEUS_TARGET:-127.0.0.1:9464}"
PROM_DIR="$STATE_DIR/prometheus"
CH_USERS_FILE="${STREAMREC_STACK_CH_USERS_FILE:-${HOME:-/root}/.config/streamrec/clickhouse-users.env}"
TIMEOUT="${STREAMREC_STACK_TIMEOUT:-90}"
KAFKA_LOG_OFFSET=0 # server.log size before our start; the log-based probe only reads what follows

export DEBIAN_FRONTEND=noninteractive
APT_UPDATED=0

# ---------------------------------------------------------------- helpers
STACK_LOG_NAME=stack
# shellcheck source=scripts/stack/lib.sh
. "$SCRIPT_DIR/lib.sh"

redis_ping() {
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$REDIS_PORT; printf 'PING\r\n' >&3; IFS= read -r l <&3; [[ \$l == +PONG* ]]" 2>/dev/null
}

ch_ping() {
  local body
  if command -v curl >/dev/null; then
    body="$(curl -fsS -m 2 "http://127.0.0.1:$CH_HTTP_PORT/ping" 2>/dev/null || true)"
  else
    body="$(timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$CH_HTTP_PORT; printf 'GET /ping HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3; cat <&3" 2>/dev/null | tail -n1 || true)"
  fi
  [[ "$body" == Ok.* ]]
}

# pid_alive NAME MARKER -> prints pid if pid file exists, process lives and its cmdline contains MARKER
pid_alive() {
  local f="$PID_DIR/$1.pid" pid
  [[ -s "$f" ]] || return 1
  pid="$(tr -dc '0-9' <"$f")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$2" || return 1
  echo "$pid"
}

apt_install() { # apt_install PKG...
  [[ $(id -u) -eq 0 ]] || die "need root to apt-get install $* (or start them yourself)"
  local t
  if [[ $APT_UPDATED -eq 0 ]]; then
    t=$(now)
    apt-get update -q >"$LOG_DIR/apt-update.log" 2>&1 || { tail_log "$LOG_DIR/apt-update.log"; die "apt-get update failed"; }
    APT_UPDATED=1
    log "apt: update in $(since "$t") s"
  fi
  t=$(now)
  apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@" \
    >"$LOG_DIR/apt-install.log" 2>&1 </dev/null || { tail_log "$LOG_DIR/apt-install.log"; die "apt-get install $* failed"; }
  log "apt: installed $* in $(since "$t") s"
}

# stop_pid NAME MARKER TIMEOUT
stop_pid() {
  local name="$1" marker="$2" grace="$3" pid t i
  if ! pid="$(pid_alive "$name" "$marker")"; then
    if [[ -f "$PID_DIR/$name.pid" ]]; then log "$name: recorded pid not running, removing pid file"; fi
    rm -f "$PID_DIR/$name.pid"
    return 0
  fi
  t=$(now)
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name: still running after ${grace} s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.2
  fi
  rm -f "$PID_DIR/$name.pid"
  log "$name: stopped (pid $pid) in $(since "$t") s"
}

# ---------------------------------------------------------------- redis
redis_up() {
  local t
  if redis_ping; then
    if pid_alive redis redis-server >/dev/null; then log "redis: up (ours), 127.0.0.1:$REDIS_PORT"
    else log "redis: reusing existing server on 127.0.0.1:$REDIS_PORT"; fi
    return 0
  fi
  rm -f "$PID_DIR/redis.pid"
  if ! command -v redis-server >/dev/null; then
    apt_install redis-server
    if redis_ping; then log "redis: package install started a server on :$REDIS_PORT, reusing it"; return 0; fi
  fi
  t=$(now)
  mkdir -p "$STATE_DIR/redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --dir "$STATE_DIR/redis" --pidfile "$PID_DIR/redis.pid" --logfile "$LOG_DIR/redis.log" </dev/null >/dev/null
  local i
  for ((i = 0; i < TIMEOUT * 10; i++)); do
    redis_ping && [[ -s "$PID_DIR/redis.pid" ]] && break
    sleep 0.1
  done
  redis_ping || { tail_log "$LOG_DIR/redis.log"; die "redis did not answer PING on 127.0.0.1:$REDIS_PORT within ${TIMEOUT} s"; }
  log "redis: started in $(since "$t") s (pid $(cat "$PID_DIR/redis.pid"))"
}

# ---------------------------------------------------------------- clickhouse
ch_listener_pid() { # pid of the process listening on the HTTP port
  ss -Hltnp "sport = :$CH_HTTP_PORT" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n1 | cut -d= -f2
}

clickhouse_up() {
  local t pid i
  if ch_ping; then
    if pid_alive clickhouse clickhouse >/dev/null; then log "clickhouse: up (ours), http://127.0.0.1:$CH_HTTP_PORT"
    else log "clickhouse: reusing existing server on :$CH_HTTP_PORT"; fi
    return 0
  fi
  rm -f "$PID_DIR/clickhouse.pid"
  if ! command -v clickhouse-server >/dev/null || [[ ! -f "$CH_CONFIG" ]]; then
    # The upstream .deb asks for a default password via debconf; pre-answer it (empty = no password).
    printf 'clickhouse-server clickhouse-server/default-password password \n' | debconf-set-selections 2>/dev/null || true
    apt_install clickhouse-server clickhouse-client
    if ch_ping; then log "clickhouse: package install started a server, reusing it"; return 0; fi
  fi
  [[ $(id -u) -eq 0 ]] || die "clickhouse-server must be started as root here (config in $CH_CONFIG)"
  t=$(now)
  local before
  before="$(pgrep -d' ' -f 'clickhouse-server --config-file' 2>/dev/null || true)"
  (cd / && clickhouse-server --config-file="$CH_CONFIG" --daemon </dev/null >>"$LOG_DIR/clickhouse.out" 2>&1) ||
    { tail_log "$LOG_DIR/clickhouse.out" /var/log/clickhouse-server/clickhouse-server.err.log; die "clickhouse-server --daemon failed"; }
  for ((i = 0; i < TIMEOUT * 10; i++)); do
    ch_ping && break
    sleep 0.1
  done
  if ! ch_ping; then
    tail_log "$LOG_DIR/clickhouse.out" /var/log/clickhouse-server/clickhouse-server.err.log /var/log/clickhouse-server/clickhouse-server.log
    die "clickhouse did not answer http://127.0.0.1:$CH_HTTP_PORT/ping within ${TIMEOUT} s"
  fi
  pid="$(ch_listener_pid || true)"
  if [[ -z "$pid" ]]; then # fall back to the newest clickhouse-server process we did not see before
    for pid in $(pgrep -f 'clickhouse-server --config-file' 2>/dev/null | sort -rn); do
      [[ " $before " == *" $pid "* ]] || break
    done
  fi
  [[ -n "$pid" ]] && echo "$pid" >"$PID_DIR/clickhouse.pid"
  log "clickhouse: started in $(since "$t") s (pid ${pid:-unknown})"
}

# ---------------------------------------------------------------- kafka
kafka_write_config() {
  mkdir -p "$KAFKA_CONF_DIR" "$KAFKA_DATA" "$LOG_DIR/kafka"
  cat >"$KAFKA_CONF_DIR/server.properties" <<EOF
# generated by scripts/stack/stack.sh -- combined KRaft broker+controller on loopback only
process.roles=broker,controller
node.id=$KAFKA_NODE_ID
controller.quorum.voters=$KAFKA_NODE_ID@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$KAFKA_DATA
num.network.threads=2
num.io.threads=4
num.partitions=4
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=false
delete.topic.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=8
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
# after kill -9 the controller rejects the new incarnation (DUPLICATE_BROKER_REGISTRATION) until the
# old broker session expires: default 9 s; 4 s makes a restart after a crash/reboot quick
broker.heartbeat.interval.ms=500
broker.session.timeout.ms=4000
log.retention.hours=24
log.retention.bytes=1073741824
log.segment.bytes=134217728
log.retention.check.interval.ms=60000
EOF
}

kafka_formatted_ok() { # meta.properties present and for our node id
  local meta="$KAFKA_DATA/meta.properties"
  [[ -f "$meta" ]] && grep -qx "node.id=$KAFKA_NODE_ID" "$meta" && grep -q '^cluster.id=' "$meta"
}

kafka_format() {
  local t cid
  t=$(now)
  rm -rf "$KAFKA_DATA" && mkdir -p "$KAFKA_DATA"
  cid="$(kafka_cluster_id)"
  java -cp "$KAFKA_LIBS/*" -Dlog4j2.configurationFile="$SCRIPT_DIR/log4j2.xml" -Dkafka.logs.dir="$LOG_DIR/kafka" \
    kafka.tools.StorageTool format -t "$cid" -c "$KAFKA_CONF_DIR/server.properties" \
    >"$LOG_DIR/kafka-format.log" 2>&1 </dev/null || { tail_log "$LOG_DIR/kafka-format.log"; die "kafka StorageTool format failed"; }
  log "kafka: formatted $KAFKA_DATA (cluster id $cid) in $(since "$t") s"
}

kafka_ready() { # kafka_ready TIMEOUT_S -> 0 when the broker answers metadata
  local secs="$1"
  if [[ "${STREAMREC_KAFKA_PROBE:-kafkajs}" != log ]] && command -v node >/dev/null && node -e "require.resolve('kafkajs',{paths:['$REPO_ROOT','$SCRIPT_DIR']})" 2>/dev/null; then
    node "$SCRIPT_DIR/kafka-ready.cjs" "127.0.0.1:$KAFKA_PORT" "$((secs * 1000))" >/dev/null 2>>"$LOG_DIR/kafka-ready.log"
  else # no kafkajs yet (before npm ci): the broker logs this line once it serves requests
    local i
    for ((i = 0; i < secs * 10; i++)); do
      port_open "$KAFKA_PORT" && tail -c +"$((KAFKA_LOG_OFFSET + 1))" "$LOG_DIR/kafka/server.log" 2>/dev/null |
        grep -q 'Kafka Server started' && return 0
      sleep 0.1
    done
    return 1
  fi
}

kafka_start_once() { # returns 0 ready, 1 process died early, 2 timeout
  local t pid i
  t=$(now)
  : >"$LOG_DIR/kafka.out"
  KAFKA_LOG_OFFSET=$(stat -c %s "$LOG_DIR/kafka/server.log" 2>/dev/null || echo 0)
  # shellcheck disable=SC2086
  setsid nohup java $KAFKA_HEAP -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    -Dkafka.logs.dir="$LOG_DIR/kafka" -Dlog4j2.configurationFile="$SCRIPT_DIR/log4j2.xml" \
    -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_CONF_DIR/server.properties" \
    >>"$LOG_DIR/kafka.out" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$PID_DIR/kafka.pid"
  for ((i = 0; i < TIMEOUT * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$PID_DIR/kafka.pid"; return 1; }
    port_open "$KAFKA_PORT" && break
    sleep 0.1
  done
  port_open "$KAFKA_PORT" || return 2
  local left
  left=$(awk -v a="$t" -v b="$(now)" -v T="$TIMEOUT" 'BEGIN { l = int(T - (b - a)); print (l < 5 ? 5 : l) }')
  kafka_ready "$left" || { kill -0 "$pid" 2>/dev/null && return 2; rm -f "$PID_DIR/kafka.pid"; return 1; }
  log "kafka: started in $(since "$t") s (pid $pid, 127.0.0.1:$KAFKA_PORT, Kafka $KAFKA_VERSION)"
}

kafka_up() {
  local rc
  if port_open "$KAFKA_PORT"; then
    if pid_alive kafka kafka.Kafka >/dev/null; then
      kafka_ready 30 || die "kafka (ours, pid $(cat "$PID_DIR/kafka.pid")) accepts connections but does not answer metadata"
      log "kafka: up (ours), 127.0.0.1:$KAFKA_PORT"
      return 0
    fi
    kafka_ready 15 || die "port $KAFKA_PORT is taken by something that does not answer Kafka metadata (set STREAMREC_KAFKA_PORT)"
    log "kafka: reusing existing broker on 127.0.0.1:$KAFKA_PORT"
    return 0
  fi
  if pid_alive kafka kafka.Kafka >/dev/null; then # ours but not listening: hung or still starting
    log "kafka: recorded broker process is alive but not listening, restarting it"
    stop_pid kafka kafka.Kafka 20
  fi
  rm -f "$PID_DIR/kafka.pid"
  port_open "$KAFKA_CONTROLLER_PORT" && die "controller port $KAFKA_CONTROLLER_PORT is taken (set STREAMREC_KAFKA_CONTROLLER_PORT)"
  command -v java >/dev/null || die "java (17+) not found"
  kafka_fetch_jars "$LOG_DIR/kafka-mvn.log"
  kafka_write_config
  if kafka_formatted_ok; then
    log "kafka: reusing formatted log dir $KAFKA_DATA"
  else
    [[ -e "$KAFKA_DATA/meta.properties" ]] && log "kafka: $KAFKA_DATA has an incompatible format, wiping it"
    kafka_format
  fi
  rc=0
  kafka_start_once || rc=$?
  if [[ $rc -eq 1 ]] && ! grep -qi 'Address already in use' "$LOG_DIR/kafka.out" "$LOG_DIR/kafka/server.log" 2>/dev/null; then
    # Typical after a version switch or a broken data dir: wipe, reformat, retry once.
    tail_log "$LOG_DIR/kafka.out"
    log "kafka: broker exited during start-up; wiping $KAFKA_DATA, reformatting and retrying once"
    kafka_format
    rc=0
    kafka_start_once || rc=$?
  fi
  if [[ $rc -ne 0 ]]; then
    tail_log "$LOG_DIR/kafka.out" "$LOG_DIR/kafka/server.log" "$LOG_DIR/kafka-ready.log"
    [[ $rc -eq 2 ]] && die "kafka did not answer metadata on 127.0.0.1:$KAFKA_PORT within ${TIMEOUT} s (pid file kept; run '$0 down')"
    die "kafka broker exited during start-up (see $LOG_DIR/kafka/server.log)"
  fi
}

# ---------------------------------------------------------------- clickhouse users
# Least-privilege users (schemas/clickhouse/access/users.xml.template): passwords generated once per
# machine into $CH_USERS_FILE (mode 600), hashes rendered into users.d, which the server reloads.
clickhouse_users() {
  local dir=/etc/clickhouse-server/users.d target engine analyst rendered dbs
  if [[ ! -d /etc/clickhouse-server ]] || [[ ! -w /etc/clickhouse-server ]]; then
    log "clickhouse: /etc/clickhouse-server not writable, least-privilege users not installed"
    return 0
  fi
  mkdir -p "$(dirname "$CH_USERS_FILE")"
  if [[ ! -s "$CH_USERS_FILE" ]]; then
    umask 077
    {
      echo "CH_ENGINE_USER=streamrec_engine"
      echo "CH_ENGINE_PASSWORD=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
      echo "CH_ANALYST_USER=streamrec_analyst"
      echo "CH_ANALYST_PASSWORD=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
      echo "CH_USERS_DATABASES=streamrec,streamrec_demo,streamrec_access_check"
    } >"$CH_USERS_FILE"
    umask 022
    log "clickhouse: generated passwords of streamrec_engine and streamrec_analyst in $CH_USERS_FILE"
  fi
  engine="$(sed -n 's/^CH_ENGINE_PASSWORD=//p' "$CH_USERS_FILE")"
  analyst="$(sed -n 's/^CH_ANALYST_PASSWORD=//p' "$CH_USERS_FILE")"
  dbs=""
  for db in $(sed -n 's/^CH_USERS_DATABASES=//p' "$CH_USERS_FILE" | tr ',' ' '); do dbs="$dbs<database>$db</database>"; done
  rendered="$(sed -e "s/@ENGINE_SHA256@/$(printf '%s' "$engine" | sha256sum | cut -d' ' -f1)/" \
    -e "s/@ANALYST_SHA256@/$(printf '%s' "$analyst" | sha256sum | cut -d' ' -f1)/" \
    -e "s#@DATABASES@#$dbs#" "$REPO_ROOT/schemas/clickhouse/access/users.xml.template")"
  target="$dir/streamrec.xml"
  mkdir -p "$dir"
  if [[ ! -f "$target" ]] || [[ "$(cat "$target")" != "$rendered" ]]; then
    printf '%s\n' "$rendered" >"$target"
    log "clickhouse: installed users streamrec_engine, streamrec_analyst ($target)"
    # The server re-reads users.d every few seconds; wait until the engine user can log in.
    local i
    for ((i = 0; i < 150; i++)); do
      ch_login streamrec_engine "$engine" && break
      sleep 0.1
    done
    ch_login streamrec_engine "$engine" || log "clickhouse: WARNING the server has not picked up $target yet"
  fi
}

ch_login() { # ch_login USER PASSWORD -> 0 when the server accepts them
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$CH_HTTP_PORT; printf 'GET /?query=SELECT%%201 HTTP/1.0\r\nHost: 127.0.0.1\r\nX-ClickHouse-User: %s\r\nX-ClickHouse-Key: %s\r\n\r\n' '$1' '$2' >&3; head -n1 <&3 | grep -q ' 200 '" 2>/dev/null
}

# ---------------------------------------------------------------- prometheus
prom_ready() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PROM_PORT; printf 'GET /-/ready HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3; head -n1 <&3 | grep -q ' 200 '" 2>/dev/null; }

prometheus_write_config() {
  mkdir -p "$PROM_DIR/data"
  cat >"$PROM_DIR/prometheus.yml" <<EOF
# Written by scripts/stack/stack.sh: scrapes the engine (job streamrec) and loads the alert rules.
global:
  scrape_interval: 5s
  evaluation_interval: 15s
rule_files:
  - $REPO_ROOT/prometheus/alerts.yml
scrape_configs:
  - job_name: streamrec
    static_configs:
      - targets: ['$PROM_TARGET']
EOF
}

prometheus_up() {
  local t i
  if port_open "$PROM_PORT"; then
    if pid_alive prometheus prometheus >/dev/null; then log "prometheus: up (ours), http://127.0.0.1:$PROM_PORT"
    else log "prometheus: reusing the server on 127.0.0.1:$PROM_PORT"; fi
    return 0
  fi
  rm -f "$PID_DIR/prometheus.pid"
  command -v prometheus >/dev/null || apt_install prometheus
  t=$(now)
  prometheus_write_config
  nohup prometheus --config.file="$PROM_DIR/prometheus.yml" --storage.tsdb.path="$PROM_DIR/data" \
    --storage.tsdb.retention.time=2d --web.listen-address="127.0.0.1:$PROM_PORT" --web.enable-lifecycle \
    </dev/null >"$LOG_DIR/prometheus.log" 2>&1 &
  echo $! >"$PID_DIR/prometheus.pid"
  for ((i = 0; i < TIMEOUT * 10; i++)); do
    prom_ready && break
    kill -0 "$(cat "$PID_DIR/prometheus.pid")" 2>/dev/null || break
    sleep 0.1
  done
  prom_ready || { tail_log "$LOG_DIR/prometheus.log"; die "prometheus did not become ready on 127.0.0.1:$PROM_PORT within ${TIMEOUT} s"; }
  log "prometheus: started in $(since "$t") s (pid $(cat "$PID_DIR/prometheus.pid")), http://127.0.0.1:$PROM_PORT scraping $PROM_TARGET"
}

# ---------------------------------------------------------------- env files
write_env() {
  cat >"$STATE_DIR/stack.env" <<EOF
STREAMREC_KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT
STREAMREC_REDIS_URL=redis://127.0.0.1:$REDIS_PORT
STREAMREC_CLICKHOUSE_URL=http://127.0.0.1:$CH_HTTP_PORT
STREAMREC_PROMETHEUS_URL=http://127.0.0.1:$PROM_PORT
EOF
  cat >"$STATE_DIR/stack.json" <<EOF
{"kafkaBrokers":["127.0.0.1:$KAFKA_PORT"],"redisUrl":"redis://127.0.0.1:$REDIS_PORT","clickhouseUrl":"http://127.0.0.1:$CH_HTTP_PORT","prometheusUrl":"http://127.0.0.1:$PROM_PORT","clickhouseUsersFile":"$CH_USERS_FILE"}
EOF
}

# ---------------------------------------------------------------- commands
cmd_up() {
  local t0
  t0=$(now)
  mkdir -p "$PID_DIR" "$LOG_DIR"
  reserve_ports "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$PROM_PORT"
  redis_up
  clickhouse_up
  clickhouse_users
  kafka_up
  prometheus_up
  write_env
  log "up: all services ready in $(since "$t0") s; connection info in $STATE_DIR/stack.env"
}

cmd_down() {
  mkdir -p "$PID_DIR"
  stop_pid prometheus prometheus 10
  stop_pid kafka kafka.Kafka 30
  stop_pid clickhouse clickhouse 30
  stop_pid redis redis-server 10
  log "down: done (services we did not start were left alone)"
}

status_line() { # NAME UP(0/1) OWNER DETAIL
  printf '%-11s %-5s %-9s %s\n' "$1" "$([[ $2 -eq 0 ]] && echo up || echo down)" "$3" "$4"
}

cmd_status() {
  local all=0 up owner
  mkdir -p "$LOG_DIR"
  up=1; redis_ping && up=0
  owner=external; pid_alive redis redis-server >/dev/null && owner="ours:$(cat "$PID_DIR/redis.pid")"
  [[ $up -eq 0 ]] || { owner=-; all=3; }
  status_line redis "$up" "$owner" "redis://127.0.0.1:$REDIS_PORT"

  up=1; ch_ping && up=0
  owner=external; pid_alive clickhouse clickhouse >/dev/null && owner="ours:$(cat "$PID_DIR/clickhouse.pid")"
  [[ $up -eq 0 ]] || { owner=-; all=3; }
  status_line clickhouse "$up" "$owner" "http://127.0.0.1:$CH_HTTP_PORT"

  up=1; port_open "$KAFKA_PORT" && kafka_ready 5 && up=0
  owner=external; pid_alive kafka kafka.Kafka >/dev/null && owner="ours:$(cat "$PID_DIR/kafka.pid")"
  [[ $up -eq 0 ]] || { owner=-; all=3; }
  status_line kafka "$up" "$owner" "127.0.0.1:$KAFKA_PORT"

  up=1; prom_ready && up=0
  owner=external; pid_alive prometheus prometheus >/dev/null && owner="ours:$(cat "$PID_DIR/prometheus.pid")"
  [[ $up -eq 0 ]] || { owner=-; all=3; }
  status_line prometheus "$up" "$owner" "http://127.0.0.1:$PROM_PORT"
  return "$all"
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
