#!/usr/bin/env bash
# Three-node Apache Kafka cluster (KRaft, each node a combined broker+controller) for fault tests:
# replication factor 3, kill one broker mid-stream, restart it. Independent of the single broker
# that scripts/stack/stack.sh runs on 39092 (same jar cache, own ports, own state).
#
#   scripts/stack/kafka-cluster.sh up          start the nodes that are not running; wait until all three
#                                              answer metadata and the cluster shows 3 brokers
#   scripts/stack/kafka-cluster.sh down        stop all three (SIGTERM, SIGKILL after a grace); keeps data
#   scripts/stack/kafka-cluster.sh kill N      SIGKILL node N (1..3)
#   scripts/stack/kafka-cluster.sh start N     restart node N on its existing data; wait until it is back
#                                              and the cluster shows 3 brokers again
#   scripts/stack/kafka-cluster.sh status      one line per node; exit 0 if all 3 up, 3 otherwise
#
# Node N: node.id=N, client 127.0.0.1:3919(N+1) (39192..39194), controller 127.0.0.1:3929(N+1)
# (39292..39294); static controller quorum of all three (controller.quorum.voters), all formatted with one
# cluster id. Idempotent, non-interactive.
# Environment overrides:
#   STREAMREC_STACK_DIR              state dir (default <repo>/.stack); this script uses <state>/kafka-cluster/
#   STREAMREC_KAFKA_VERSION          org.apache.kafka:kafka_2.13 version (default 4.4.0), as stack.sh
#   STREAMREC_KAFKA_CACHE            jar cache (default ~/.cache/streamrec/kafka-<version>/libs), as stack.sh
#   STREAMREC_KAFKA_CLUSTER_HEAP     JVM heap flags of each node (default -Xmx384m)
#   STREAMREC_KAFKA_CLUSTER_TIMEOUT  seconds to wait for the cluster / a node (default 120)
#   STREAMREC_KAFKA_PROBE=log        readiness from the broker logs instead of kafkajs metadata calls
#                                    (automatic when kafkajs is not installed; then the broker count is not checked)
# State per node: <state>/kafka-cluster/node<N>/{data/,config/server.properties,logs/server.log,kafka.out,kafka.pid}
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
STATE_DIR="${STREAMREC_STACK_DIR:-$REPO_ROOT/.stack}"
CLUSTER_DIR="$STATE_DIR/kafka-cluster"
KAFKA_VERSION="${STREAMREC_KAFKA_VERSION:-4.4.0}"
KAFKA_LIBS="${STREAMREC_KAFKA_CACHE:-${HOME:-/root}/.cache/streamrec/kafka-$KAFKA_VERSION/libs}"
HEAP="${STREAMREC_KAFKA_CLUSTER_HEAP:--Xmx384m}"
TIMEOUT="${STREAMREC_KAFKA_CLUSTER_TIMEOUT:-120}"
NODES=(1 2 3)
CLIENT_BASE=39191     # node N listens on CLIENT_BASE+N
CONTROLLER_BASE=39291 # node N's controller listener on CONTROLLER_BASE+N
VOTERS="1@127.0.0.1:39292,2@127.0.0.1:39293,3@127.0.0.1:39294"

# ---------------------------------------------------------------- helpers
log() { printf '[kafka-cluster] %s\n' "$*" >&2; }
die() { printf '[kafka-cluster] ERROR: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
port_open() { timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

client_port() { echo $((CLIENT_BASE + $1)); }
controller_port() { echo $((CONTROLLER_BASE + $1)); }
node_dir() { echo "$CLUSTER_DIR/node$1"; }
node_conf() { echo "$CLUSTER_DIR/node$1/config/server.properties"; }
node_addr() { echo "127.0.0.1:$(client_port "$1")"; }

tail_log() { # tail_log FILE...
  local f
  for f in "$@"; do
    [[ -f "$f" ]] || continue
    printf -- '----- tail of %s -----\n' "$f" >&2
    tail -n 40 "$f" >&2 || true
  done
}

node_logs() { local d; d="$(node_dir "$1")"; echo "$d/kafka.out" "$d/logs/server.log" "$d/ready.log"; }

check_node_arg() { [[ "${1:-}" =~ ^[123]$ ]] || die "node must be 1, 2 or 3 (got '${1:-}')"; }

# node_pid N -> prints the pid if node N's recorded JVM lives (its cmdline names its own config file)
node_pid() {
  local f pid
  f="$(node_dir "$1")/kafka.pid"
  [[ -s "$f" ]] || return 1
  pid="$(tr -dc '0-9' <"$f")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "kafka.Kafka $(node_conf "$1")" || return 1
  echo "$pid"
}

use_kafkajs() {
  [[ "${STREAMREC_KAFKA_PROBE:-kafkajs}" != log ]] && command -v node >/dev/null &&
    node -e "require.resolve('kafkajs',{paths:['$REPO_ROOT','$SCRIPT_DIR']})" 2>/dev/null
}

# probe_brokers N SECS -> prints the broker count node N reports once it answers metadata; 1 on timeout
probe_brokers() {
  local out
  out="$(node "$SCRIPT_DIR/kafka-ready.cjs" "$(node_addr "$1")" "$(($2 * 1000))" 2>>"$(node_dir "$1")/ready.log")" || return 1
  [[ "$out" =~ brokers=([0-9]+) ]] || return 1
  echo "${BASH_REMATCH[1]}"
}

# log_started N -> 0 once node N's server.log (after the offset recorded at its start) says it serves requests
log_started() {
  local d off
  d="$(node_dir "$1")"
  off="$(cat "$d/log.offset" 2>/dev/null || echo 0)"
  port_open "$(client_port "$1")" && tail -c +"$((off + 1))" "$d/logs/server.log" 2>/dev/null | grep -q 'Kafka Server started'
}

# ---------------------------------------------------------------- jars, config, format
fetch_jars() { # same cache and Maven call as stack.sh's kafka_fetch_jars
  if compgen -G "$KAFKA_LIBS/kafka_2.13-$KAFKA_VERSION.jar" >/dev/null && [[ -f "$KAFKA_LIBS/.complete" ]]; then
    return 0
  fi
  command -v mvn >/dev/null || die "mvn not found (needed once to fetch Kafka $KAFKA_VERSION from Maven Central)"
  local t tmp
  t=$(now)
  tmp="$KAFKA_LIBS.tmp.$$"
  rm -rf "$tmp" && mkdir -p "$tmp"
  if ! mvn -q -B -f "$SCRIPT_DIR/pom.xml" -Dkafka.version="$KAFKA_VERSION" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" \
    >"$CLUSTER_DIR/mvn.log" 2>&1 </dev/null; then
    rm -rf "$tmp"
    tail_log "$CLUSTER_DIR/mvn.log"
    die "mvn could not fetch org.apache.kafka:kafka_2.13:$KAFKA_VERSION"
  fi
  touch "$tmp/.complete"
  rm -rf "$KAFKA_LIBS" && mkdir -p "$(dirname "$KAFKA_LIBS")" && mv "$tmp" "$KAFKA_LIBS"
  log "fetched $(ls "$KAFKA_LIBS" | wc -l) jars (kafka_2.13 $KAFKA_VERSION) in $(since "$t") s -> $KAFKA_LIBS"
}

write_config() { # write_config N
  local n="$1" d
  d="$(node_dir "$n")"
  mkdir -p "$d/config" "$d/data" "$d/logs"
  cat >"$(node_conf "$n")" <<EOF
# generated by scripts/stack/kafka-cluster.sh -- node $n of a 3-node KRaft cluster (combined broker+controller), loopback only
process.roles=broker,controller
node.id=$n
controller.quorum.voters=$VOTERS
listeners=PLAINTEXT://127.0.0.1:$(client_port "$n"),CONTROLLER://127.0.0.1:$(controller_port "$n")
advertised.listeners=PLAINTEXT://127.0.0.1:$(client_port "$n")
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$d/data
num.network.threads=2
num.io.threads=4
num.partitions=3
default.replication.factor=3
min.insync.replicas=2
auto.create.topics.enable=false
delete.topic.enable=true
offsets.topic.replication.factor=3
offsets.topic.num.partitions=8
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
share.coordinator.state.topic.replication.factor=3
share.coordinator.state.topic.min.isr=2
group.initial.rebalance.delay.ms=0
unclean.leader.election.enable=false
# A SIGKILLed broker is fenced (its leaderships move, it leaves every ISR) when its session expires:
# default 9 s. 4 s keeps the produce stall after a kill short, and lets a restarted node register again
# quickly (the controller rejects the new incarnation until the old session expires).
broker.heartbeat.interval.ms=500
broker.session.timeout.ms=4000
replica.lag.time.max.ms=10000
log.retention.hours=24
log.retention.bytes=1073741824
log.segment.bytes=134217728
log.retention.check.interval.ms=60000
EOF
}

formatted_ok() { # formatted_ok N CLUSTER_ID
  local meta
  meta="$(node_dir "$1")/data/meta.properties"
  [[ -f "$meta" ]] && grep -qx "node.id=$1" "$meta" && grep -qx "cluster.id=$2" "$meta"
}

format_node() { # format_node N CLUSTER_ID (wipes node N's data)
  local n="$1" d
  d="$(node_dir "$n")"
  rm -rf "$d/data" && mkdir -p "$d/data" "$d/logs"
  java -cp "$KAFKA_LIBS/*" -Dlog4j2.configurationFile="$SCRIPT_DIR/log4j2.xml" -Dkafka.logs.dir="$d/logs" \
    kafka.tools.StorageTool format -t "$2" -c "$(node_conf "$n")" >"$d/format.log" 2>&1 </dev/null
}

format_nodes() { # format_nodes CLUSTER_ID N... (in parallel)
  local cid="$1" t n rc=0
  shift
  t=$(now)
  declare -A pids=()
  for n in "$@"; do
    format_node "$n" "$cid" &
    pids[$n]=$!
  done
  for n in "$@"; do
    if ! wait "${pids[$n]}"; then
      tail_log "$(node_dir "$n")/format.log"
      rc=1
    fi
  done
  [[ $rc -eq 0 ]] || die "kafka StorageTool format failed"
  log "formatted node(s) $* (cluster id $cid) in $(since "$t") s"
}

new_cluster() { # wipe and format all three nodes with a fresh cluster id
  local cid
  cid="$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
  format_nodes "$cid" "${NODES[@]}"
  echo "$cid" >"$CLUSTER_DIR/cluster.id"
  echo "$KAFKA_VERSION" >"$CLUSTER_DIR/kafka.version"
}

# ---------------------------------------------------------------- start, wait, stop
launch_node() { # launch_node N -> starts the JVM in the background, records its pid
  local n="$1" d pid i
  d="$(node_dir "$n")"
  local cp ctl
  cp="$(client_port "$n")"
  ctl="$(controller_port "$n")"
  port_open "$cp" && die "node $n: client port $cp is taken by another process (see: ss -ltnp 'sport = :$cp')"
  port_open "$ctl" && die "node $n: controller port $ctl is taken by another process (see: ss -ltnp 'sport = :$ctl')"
  : >"$d/kafka.out"
  : >"$d/ready.log"
  stat -c %s "$d/logs/server.log" 2>/dev/null >"$d/log.offset" || echo 0 >"$d/log.offset"
  # shellcheck disable=SC2086
  setsid nohup java $HEAP -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    -Dkafka.logs.dir="$d/logs" -Dlog4j2.configurationFile="$SCRIPT_DIR/log4j2.xml" \
    -cp "$KAFKA_LIBS/*" kafka.Kafka "$(node_conf "$n")" \
    >>"$d/kafka.out" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$d/kafka.pid"
  # setsid forks when it already leads a process group (a caller with job control): find the JVM then
  for ((i = 0; i < 20; i++)); do
    node_pid "$n" >/dev/null && break
    pid="$(pgrep -f -- "kafka.Kafka $(node_conf "$n")" | head -n1 || true)"
    [[ -n "$pid" ]] && echo "$pid" >"$d/kafka.pid"
    sleep 0.1
  done
  log "node $n: launched (pid $(cat "$d/kafka.pid"), $(node_addr "$n"), controller 127.0.0.1:$ctl)"
}

# wait_nodes SECS N... -> 0 when each given node answers metadata and reports 3 brokers;
# 1 when one of them died (prints its number), 2 on timeout
wait_nodes() {
  local secs="$1" deadline n left count kafkajs=0
  shift
  deadline=$(($(date +%s) + secs))
  use_kafkajs && kafkajs=1
  declare -A ok=()
  while :; do
    local all=1
    for n in "$@"; do
      [[ -n "${ok[$n]:-}" ]] && continue
      node_pid "$n" >/dev/null || { echo "$n"; return 1; }
      if ! port_open "$(client_port "$n")"; then all=0; continue; fi
      if [[ $kafkajs -eq 1 ]]; then
        left=$((deadline - $(date +%s)))
        ((left < 3)) && left=3
        ((left > 10)) && left=10
        count="$(probe_brokers "$n" "$left" || true)"
        if [[ "$count" == 3 ]]; then ok[$n]=1; else all=0; fi
      else
        if log_started "$n"; then ok[$n]=1; else all=0; fi
      fi
    done
    [[ $all -eq 1 ]] && return 0
    (($(date +%s) >= deadline)) && return 2
    sleep 0.25
  done
}

stop_nodes() { # stop_nodes GRACE N... : SIGTERM all at once (controlled shutdown), SIGKILL the rest after GRACE s
  local grace="$1" n pid i t any
  shift
  t=$(now)
  declare -A pids=()
  for n in "$@"; do
    if pid="$(node_pid "$n")"; then
      pids[$n]=$pid
      kill -TERM "$pid" 2>/dev/null || true
    else
      rm -f "$(node_dir "$n")/kafka.pid"
    fi
  done
  [[ ${#pids[@]} -gt 0 ]] || { log "no node was running"; return 0; }
  for ((i = 0; i < grace * 10; i++)); do
    any=0
    for n in "${!pids[@]}"; do kill -0 "${pids[$n]}" 2>/dev/null && any=1; done
    [[ $any -eq 0 ]] && break
    sleep 0.1
  done
  for n in "${!pids[@]}"; do
    if kill -0 "${pids[$n]}" 2>/dev/null; then
      log "node $n: still running after ${grace} s, sending SIGKILL"
      kill -KILL "${pids[$n]}" 2>/dev/null || true
    fi
  done
  for n in "${!pids[@]}"; do
    for ((i = 0; i < 50; i++)); do kill -0 "${pids[$n]}" 2>/dev/null || break; sleep 0.1; done
    rm -f "$(node_dir "$n")/kafka.pid"
  done
  log "stopped node(s) $(printf '%s ' "${!pids[@]}" | xargs -n1 | sort | xargs) (pids ${pids[*]}) in $(since "$t") s"
}

fail_nodes() { # fail_nodes MESSAGE N...: print the log tails of the nodes, then die
  local msg="$1" n
  shift
  for n in "$@"; do
    # shellcheck disable=SC2046
    tail_log $(node_logs "$n")
  done
  die "$msg"
}

# ---------------------------------------------------------------- commands
cmd_up() {
  local t0 n cid="" rc dead cold=0 to_start=() running=()
  t0=$(now)
  mkdir -p "$CLUSTER_DIR"
  command -v java >/dev/null || die "java (17+) not found"
  for n in "${NODES[@]}"; do
    if node_pid "$n" >/dev/null; then running+=("$n"); else to_start+=("$n"); fi
  done
  if [[ ${#to_start[@]} -gt 0 ]]; then
    fetch_jars
    for n in "${NODES[@]}"; do write_config "$n"; done
    [[ -s "$CLUSTER_DIR/cluster.id" ]] && cid="$(cat "$CLUSTER_DIR/cluster.id")"
    [[ ${#running[@]} -eq 0 ]] && cold=1
    if [[ $cold -eq 1 ]]; then
      local reuse=1
      [[ -n "$cid" && "$(cat "$CLUSTER_DIR/kafka.version" 2>/dev/null)" == "$KAFKA_VERSION" ]] || reuse=0
      for n in "${NODES[@]}"; do [[ $reuse -eq 1 ]] && ! formatted_ok "$n" "$cid" && reuse=0; done
      if [[ $reuse -eq 1 ]]; then log "reusing formatted data of all nodes (cluster id $cid)"
      else new_cluster; cid="$(cat "$CLUSTER_DIR/cluster.id")"; fi
    else
      [[ -n "$cid" ]] || die "node(s) ${running[*]} run but $CLUSTER_DIR/cluster.id is missing: run '$0 down' then '$0 up'"
      for n in "${to_start[@]}"; do
        formatted_ok "$n" "$cid" || { log "node $n: data dir not formatted for cluster $cid, formatting it"; format_nodes "$cid" "$n"; }
      done
    fi
    for n in "${to_start[@]}"; do launch_node "$n"; done
  fi
  rc=0
  dead="$(wait_nodes "$TIMEOUT" "${NODES[@]}")" || rc=$?
  if [[ $rc -eq 1 && $cold -eq 1 ]] && ! grep -qsi 'Address already in use' $(node_logs "$dead"); then
    # Typical after a version switch or a broken data dir: wipe, reformat, retry once (as stack.sh does).
    # shellcheck disable=SC2046
    tail_log $(node_logs "$dead")
    log "node $dead exited during start-up; stopping the others, wiping all data, reformatting and retrying once"
    stop_nodes 20 "${NODES[@]}"
    new_cluster
    for n in "${NODES[@]}"; do launch_node "$n"; done
    rc=0
    dead="$(wait_nodes "$TIMEOUT" "${NODES[@]}")" || rc=$?
  fi
  [[ $rc -eq 1 ]] && fail_nodes "node $dead exited during start-up (see $(node_dir "$dead")/logs/server.log)" "$dead"
  [[ $rc -eq 2 ]] && fail_nodes "the cluster did not show 3 ready brokers within ${TIMEOUT} s (nodes left running; run '$0 down')" "${NODES[@]}"
  if [[ ${#to_start[@]} -eq 0 ]]; then log "up: all 3 nodes already running and ready ($(since "$t0") s)"
  else log "up: 3 brokers ready in $(since "$t0") s (started node(s) ${to_start[*]}): $(brokers_csv)"; fi
}

brokers_csv() { local n out=(); for n in "${NODES[@]}"; do out+=("$(node_addr "$n")"); done; (IFS=,; echo "${out[*]}"); }

cmd_down() {
  stop_nodes 30 "${NODES[@]}"
  log "down: done (data kept under $CLUSTER_DIR)"
}

cmd_kill() {
  local n="$1" pid i
  check_node_arg "$n"
  if ! pid="$(node_pid "$n")"; then
    rm -f "$(node_dir "$n")/kafka.pid"
    log "node $n: not running, nothing to kill"
    return 0
  fi
  kill -KILL "$pid"
  for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  kill -0 "$pid" 2>/dev/null && die "node $n: pid $pid still alive after SIGKILL"
  rm -f "$(node_dir "$n")/kafka.pid"
  log "node $n: SIGKILLed (pid $pid)"
}

cmd_start() {
  local n="$1" t cid rc dead
  check_node_arg "$n"
  t=$(now)
  if node_pid "$n" >/dev/null; then
    log "node $n: already running (pid $(node_pid "$n"))"
  else
    local m others=0
    for m in "${NODES[@]}"; do [[ $m != "$n" ]] && node_pid "$m" >/dev/null && others=$((others + 1)); done
    [[ $others -gt 0 ]] || die "no other node runs (the quorum needs 2 of 3): run '$0 up' instead"
    cid="$(cat "$CLUSTER_DIR/cluster.id" 2>/dev/null || true)"
    [[ -n "$cid" ]] && formatted_ok "$n" "$cid" || die "node $n has no formatted data for the cluster: run '$0 up' first"
    command -v java >/dev/null || die "java (17+) not found"
    fetch_jars
    write_config "$n"
    launch_node "$n"
  fi
  rc=0
  dead="$(wait_nodes "$TIMEOUT" "$n")" || rc=$?
  [[ $rc -eq 1 ]] && fail_nodes "node $n exited during start-up (see $(node_dir "$n")/logs/server.log)" "$n"
  [[ $rc -eq 2 ]] && fail_nodes "node $n did not answer metadata with 3 brokers within ${TIMEOUT} s" "$n"
  log "node $n: ready, cluster shows 3 brokers ($(since "$t") s)"
}

cmd_status() {
  local n pid all=0 state count kafkajs=0
  use_kafkajs && kafkajs=1
  for n in "${NODES[@]}"; do
    state=down count=-
    if pid="$(node_pid "$n")"; then
      if port_open "$(client_port "$n")"; then
        if [[ $kafkajs -eq 1 ]]; then
          count="$(probe_brokers "$n" 5 2>/dev/null || echo '?')"
          [[ "$count" =~ ^[0-9]+$ ]] && state=up || state=starting
        else
          state=up
        fi
      else
        state=starting
      fi
    else
      pid=-
    fi
    [[ "$state" == up ]] || all=3
    printf 'node%s %-8s pid=%-8s %s controller=127.0.0.1:%s brokers_seen=%s\n' \
      "$n" "$state" "$pid" "$(node_addr "$n")" "$(controller_port "$n")" "$count"
  done
  return "$all"
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  kill) cmd_kill "${2:-}" ;;
  start) cmd_start "${2:-}" ;;
  status) cmd_status ;;
  *) echo "usage: $0 up|down|status|kill N|start N   (N = 1, 2 or 3)" >&2; exit 2 ;;
esac
