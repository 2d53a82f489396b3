#!/usr/bin/env bash
# Three-master Redis Cluster (no replicas) for tests, on the machine's redis-server / redis-cli (7.0+).
# Independent of any standalone Redis (e.g. the one on 6379): own ports, own state, loopback only.
#
#   scripts/stack/redis-cluster.sh up        start the nodes that are not running; form the cluster if it is
#                                            not formed yet; wait until every node reports cluster_state:ok
#                                            with all 16384 slots assigned; print the seed addresses (stdout)
#   scripts/stack/redis-cluster.sh down      SHUTDOWN NOSAVE every node and remove the state dir (the next
#                                            `up` forms a fresh, empty cluster)
#   scripts/stack/redis-cluster.sh status    one line per node; exit 0 if cluster_state:ok, 3 otherwise
#
# Node N (1..3): client 127.0.0.1:3938N (39381..39383), cluster bus 127.0.0.1:4938N (port + 10000).
# No persistence (--save '' --appendonly no): a restarted node comes back empty. Idempotent, non-interactive.
# A failed `up` stops the nodes again (logs are kept for inspection; the next `up` wipes them).
# Environment overrides:
#   STREAMREC_STACK_DIR               state dir (default <repo>/.stack); this script uses <state>/redis-cluster/
#   STREAMREC_REDIS_CLUSTER_TIMEOUT   seconds to wait for cluster creation / cluster_state:ok (default 60)
# State per node: <state>/redis-cluster/node<N>/{nodes.conf,redis.log,redis.pid}
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
STATE_DIR="${STREAMREC_STACK_DIR:-$REPO_ROOT/.stack}"
CLUSTER_DIR="$STATE_DIR/redis-cluster"
TIMEOUT="${STREAMREC_REDIS_CLUSTER_TIMEOUT:-60}"
NODES=(1 2 3)
PORT_BASE=39380 # node N listens on PORT_BASE+N, its cluster bus on PORT_BASE+N+10000

# ---------------------------------------------------------------- helpers
STACK_LOG_NAME=redis-cluster
# shellcheck source=scripts/stack/lib.sh
. "$SCRIPT_DIR/lib.sh"

port() { echo $((PORT_BASE + $1)); }
node_dir() { echo "$CLUSTER_DIR/node$1"; }
node_addr() { echo "127.0.0.1:$(port "$1")"; }
seeds() { local n out=(); for n in "${NODES[@]}"; do out+=("$(node_addr "$n")"); done; (IFS=,; echo "${out[*]}"); }
rcli() { local n="$1"; shift; timeout 5 redis-cli -h 127.0.0.1 -p "$(port "$n")" "$@" 2>/dev/null </dev/null; }
info_field() { { rcli "$1" cluster info || true; } | tr -d '\r' | sed -n "s/^$2://p"; } # info_field N FIELD

tail_logs() { # tail_logs N...
  local n f
  for n in "$@"; do
    f="$(node_dir "$n")/redis.log"
    [[ -f "$f" ]] && { printf -- '----- tail of %s -----\n' "$f" >&2; tail -n 30 "$f" >&2 || true; }
  done
  return 0
}
fail() { tail_logs "${NODES[@]}"; stop_nodes; die "$1 (logs kept under $CLUSTER_DIR)"; } # stops all nodes


# node_pid N -> prints the pid of node N's redis-server: the one in its pidfile if it lives (its title names its
# port), else the one answering on its port if its pidfile setting is node N's (e.g. the state dir was removed)
node_pid() {
  local f pid=""
  f="$(node_dir "$1")/redis.pid"
  [[ -s "$f" ]] && pid="$(tr -dc '0-9' <"$f")"
  if [[ -n "$pid" ]] && alive "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "redis-server.*:$(port "$1")"; then
    echo "$pid"; return 0
  fi
  [[ "$(rcli "$1" config get pidfile | sed -n 2p)" == "$f" ]] || return 1
  pid="$(rcli "$1" info server | tr -d '\r' | sed -n 's/^process_id://p')" || return 1
  [[ -n "$pid" ]] && echo "$pid"
}

node_ok() { local i; i="$({ rcli "$1" cluster info || true; } | tr -d '\r')"; [[ "$i" == *cluster_state:ok* && "$i" == *cluster_slots_assigned:16384* ]]; }
cluster_ok() { local n; for n in "${NODES[@]}"; do node_ok "$n" || return 1; done; }

check_ports() { # check_ports N: die unless node N's client and cluster bus ports are free
  local p q
  p="$(port "$1")"; q=$((p + 10000))
  port_open "$p" && die "node $1: port $p is taken by another process (see: ss -ltnp 'sport = :$p')"
  port_open "$q" && die "node $1: cluster bus port $q is taken by another process (see: ss -ltnp 'sport = :$q')"
  return 0
}

launch_node() { # launch_node N: start node N daemonized and wait until it answers PING
  local n="$1" d i
  d="$(node_dir "$n")"
  mkdir -p "$d"
  redis-server --port "$(port "$n")" --bind 127.0.0.1 --protected-mode no --daemonize yes \
    --cluster-enabled yes --cluster-config-file "$d/nodes.conf" --appendonly no --save '' \
    --dir "$d" --logfile "$d/redis.log" --pidfile "$d/redis.pid" </dev/null >/dev/null || fail "node $n: redis-server failed to start"
  for ((i = 0; i < 100; i++)); do
    [[ "$(rcli "$n" ping)" == PONG ]] && { log "node $n: started (pid $(node_pid "$n"), $(node_addr "$n"))"; return 0; }
    sleep 0.1
  done
  fail "node $n: did not answer PING on $(node_addr "$n") within 10 s"
}

stop_nodes() { # SHUTDOWN NOSAVE every running node at once; SIGKILL those still alive after 5 s
  local n
  declare -A pids=()
  for n in "${NODES[@]}"; do pids[$n]="$(node_pid "$n")" || unset "pids[$n]"; done
  [[ ${#pids[@]} -gt 0 ]] || { log "no node was running"; return 0; }
  for n in "${!pids[@]}"; do rcli "$n" shutdown nosave >/dev/null || true; done
  await_exit 5 "${pids[@]}" || true
  for n in "${!pids[@]}"; do
    alive "${pids[$n]}" && { log "node $n: still running 5 s after SHUTDOWN, sending SIGKILL"; kill -KILL "${pids[$n]}" 2>/dev/null || true; }
  done
  for n in "${NODES[@]}"; do [[ -n "${pids[$n]:-}" ]] && log "node $n: stopped (pid ${pids[$n]})"; done
  return 0
}

# ---------------------------------------------------------------- commands
cmd_up() {
  local t0 n running=() dead=() deadline
  t0=$(now)
  reserve_ports "$((PORT_BASE + 1))-$((PORT_BASE + 3))" "$((PORT_BASE + 10001))-$((PORT_BASE + 10003))"
  command -v redis-server >/dev/null && command -v redis-cli >/dev/null || die "redis-server / redis-cli not found"
  for n in "${NODES[@]}"; do if node_pid "$n" >/dev/null; then running+=("$n"); else dead+=("$n"); fi; done
  if [[ ${#dead[@]} -eq 0 ]] && cluster_ok; then
    log "up: all 3 nodes already running, cluster_state:ok ($(since "$t0") s)"; seeds; return 0
  fi
  if [[ ${#running[@]} -eq 0 ]]; then
    [[ -d "$CLUSTER_DIR" ]] && log "no node running: wiping stale state $CLUSTER_DIR"
    rm -rf "$CLUSTER_DIR"
  else # a dead node rejoins with its nodes.conf; without one the cluster cannot be repaired: recreate it
    for n in "${dead[@]}"; do
      [[ -s "$(node_dir "$n")/nodes.conf" ]] && continue
      log "node $n is down and has no nodes.conf while node(s) ${running[*]} run: recreating the whole cluster"
      stop_nodes; rm -rf "$CLUSTER_DIR"; dead=("${NODES[@]}"); break
    done
  fi
  mkdir -p "$CLUSTER_DIR"
  for n in "${dead[@]}"; do check_ports "$n"; done
  for n in "${dead[@]}"; do launch_node "$n"; done
  if [[ "$(info_field 1 cluster_known_nodes)" == 1 && "$(info_field 1 cluster_slots_assigned)" == 0 ]]; then
    log "forming the cluster (3 masters, no replicas)"
    # shellcheck disable=SC2046
    timeout "$TIMEOUT" redis-cli --cluster create $(seeds | tr ',' ' ') --cluster-replicas 0 --cluster-yes \
      >"$CLUSTER_DIR/create.log" 2>&1 </dev/null || { cat "$CLUSTER_DIR/create.log" >&2; fail "redis-cli --cluster create failed (or ran over ${TIMEOUT} s)"; }
  fi
  deadline=$(($(date +%s) + TIMEOUT))
  until cluster_ok; do
    for n in "${NODES[@]}"; do node_pid "$n" >/dev/null || fail "node $n exited (see $(node_dir "$n")/redis.log)"; done
    (($(date +%s) >= deadline)) && { rcli 1 cluster info >&2 || true; fail "cluster not ok within ${TIMEOUT} s"; }
    sleep 0.2
  done
  log "up: cluster_state:ok, 16384 slots on 3 masters in $(since "$t0") s (started node(s) ${dead[*]})"
  seeds
}

cmd_down() { stop_nodes; rm -rf "$CLUSTER_DIR"; log "down: done (removed $CLUSTER_DIR)"; }

cmd_status() {
  local n pid state
  for n in "${NODES[@]}"; do
    pid="$(node_pid "$n")" || pid=-
    state="$(info_field "$n" cluster_state)"
    printf 'node%s %s pid=%s cluster_state=%s slots_assigned=%s known_nodes=%s\n' "$n" "$(node_addr "$n")" "$pid" \
      "${state:-down}" "$(info_field "$n" cluster_slots_assigned)" "$(info_field "$n" cluster_known_nodes)"
  done
  cluster_ok || return 3
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
