#!/usr/bin/env bash
# Two-shard ClickHouse cluster (one replica per shard) for tests, on the machine's clickhouse-server binary.
# Independent of the stack's ClickHouse on 8123: own ports, own data dirs, loopback only, no ZooKeeper.
#
#   scripts/stack/clickhouse-cluster.sh up       start the nodes that are not running; wait until each answers
#                                                a query over the cluster (one row from every shard); print the nodes' HTTP URLs, comma-separated (stdout)
#   scripts/stack/clickhouse-cluster.sh down     stop every node and remove the state dir
#   scripts/stack/clickhouse-cluster.sh status   one line per node; exit 0 if both answer, 3 otherwise
#
# Node N (1..2): HTTP 127.0.0.1:813N, native TCP 903N, interserver 904N. Both know the cluster `streamrec`
# (remote_servers): shard N = node N. Users come from the machine's /etc/clickhouse-server/users.xml (and its
# users.d), so the users and passwords of the stack's server hold here too; shards talk as `default`.
# Idempotent, non-interactive. A failed `up` stops the nodes again (logs are kept; the next `up` wipes them).
# Environment overrides:
#   STREAMREC_STACK_DIR                  state dir (default <repo>/.stack); this script uses <state>/clickhouse-cluster/
#   STREAMREC_CLICKHOUSE_CLUSTER_TIMEOUT seconds to wait for a node to answer (default 60)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
STATE_DIR="${STREAMREC_STACK_DIR:-$REPO_ROOT/.stack}"
CLUSTER_DIR="$STATE_DIR/clickhouse-cluster"
TIMEOUT="${STREAMREC_CLICKHOUSE_CLUSTER_TIMEOUT:-60}"
USERS_XML=/etc/clickhouse-server/users.xml
CLUSTER_NAME=streamrec
NODES=(1 2)

STACK_LOG_NAME=clickhouse-cluster
# shellcheck source=scripts/stack/lib.sh
. "$SCRIPT_DIR/lib.sh"

http_port() { echo $((8130 + $1)); }
tcp_port() { echo $((9030 + $1)); }
interserver_port() { echo $((9040 + $1)); }
node_dir() { echo "$CLUSTER_DIR/node$1"; }
node_url() { echo "http://127.0.0.1:$(http_port "$1")"; }
urls() { local n out=(); for n in "${NODES[@]}"; do out+=("$(node_url "$n")"); done; (IFS=,; echo "${out[*]}"); }

node_pid() { # the pid in node N's pidfile, if that process runs with node N's config
  local f pid
  f="$(node_dir "$1")/server.pid"
  [[ -s "$f" ]] || return 1
  pid="$(tr -dc '0-9' <"$f")"
  [[ -n "$pid" ]] && alive "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$(node_dir "$1")/config.xml" && echo "$pid"
}
# node_query N SQL -> the answer of node N's HTTP interface (fails on an error status)
node_query() { curl -fsS --max-time 5 --data-binary "$2" "$(node_url "$1")/" 2>/dev/null; }
# Both shards answer through node N: a query over the cluster reads one row per shard.
node_ok() { [[ "$(node_query "$1" "SELECT count() FROM cluster('$CLUSTER_NAME', system.one)" || true)" == "${#NODES[@]}" ]]; }

tail_logs() { local n; for n in "${NODES[@]}"; do tail_log "$(node_dir "$n")/server.err.log" "$(node_dir "$n")/stdout.log"; done; }
fail() { tail_logs; stop_nodes; die "$1 (logs kept under $CLUSTER_DIR)"; }

write_config() { # write_config N: node N's server config (every path under its own dir)
  local n="$1" d shards="" m
  d="$(node_dir "$n")"
  for m in "${NODES[@]}"; do
    shards+="<shard><replica><host>127.0.0.1</host><port>$(tcp_port "$m")</port></replica></shard>"
  done
  mkdir -p "$d/data" "$d/tmp" "$d/user_files" "$d/format_schemas"
  cat >"$d/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
    <logger>
        <level>warning</level>
        <log>$d/server.log</log>
        <errorlog>$d/server.err.log</errorlog>
        <size>10M</size>
        <count>2</count>
    </logger>
    <http_port>$(http_port "$n")</http_port>
    <tcp_port>$(tcp_port "$n")</tcp_port>
    <interserver_http_port>$(interserver_port "$n")</interserver_http_port>
    <interserver_http_host>127.0.0.1</interserver_http_host>
    <listen_host>127.0.0.1</listen_host>
    <max_connections>256</max_connections>
    <keep_alive_timeout>3</keep_alive_timeout>
    <max_concurrent_queries>100</max_concurrent_queries>
    <uncompressed_cache_size>1073741824</uncompressed_cache_size>
    <mark_cache_size>536870912</mark_cache_size>
    <path>$d/data/</path>
    <tmp_path>$d/tmp/</tmp_path>
    <user_files_path>$d/user_files/</user_files_path>
    <format_schema_path>$d/format_schemas/</format_schema_path>
    <users_config>$USERS_XML</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <remote_servers><$CLUSTER_NAME>$shards</$CLUSTER_NAME></remote_servers>
    <builtin_dictionaries_reload_interval>3600</builtin_dictionaries_reload_interval>
    <max_session_timeout>3600</max_session_timeout>
    <default_session_timeout>60</default_session_timeout>
</yandex>
XML
}

launch_node() { # launch_node N: start node N daemonized
  local n="$1" d
  d="$(node_dir "$n")"
  for p in "$(http_port "$n")" "$(tcp_port "$n")" "$(interserver_port "$n")"; do
    port_open "$p" && die "node $n: port $p is taken by another process (see: ss -ltnp 'sport = :$p')"
  done
  write_config "$n"
  (cd "$d" && clickhouse-server --config-file="$d/config.xml" --pid-file="$d/server.pid" --daemon </dev/null >>"$d/stdout.log" 2>&1) ||
    fail "node $n: clickhouse-server --daemon failed"
}

stop_nodes() { # SIGTERM every running node; SIGKILL those still alive after 20 s
  local n
  declare -A pids=()
  for n in "${NODES[@]}"; do pids[$n]="$(node_pid "$n")" || unset "pids[$n]"; done
  [[ ${#pids[@]} -gt 0 ]] || { log "no node was running"; return 0; }
  for n in "${!pids[@]}"; do kill -TERM "${pids[$n]}" 2>/dev/null || true; done
  await_exit 20 "${pids[@]}" || true
  for n in "${!pids[@]}"; do
    alive "${pids[$n]}" && { log "node $n: still running 20 s after SIGTERM, sending SIGKILL"; kill -KILL "${pids[$n]}" 2>/dev/null || true; }
    log "node $n: stopped (pid ${pids[$n]})"
  done
  return 0
}

cmd_up() {
  local t0 n dead=() deadline
  t0=$(now)
  command -v clickhouse-server >/dev/null || die "clickhouse-server not found (scripts/stack/stack.sh up installs it)"
  command -v curl >/dev/null || die "curl not found"
  [[ -f "$USERS_XML" ]] || die "$USERS_XML not found (scripts/stack/stack.sh up installs clickhouse-server)"
  for n in "${NODES[@]}"; do node_pid "$n" >/dev/null || dead+=("$n"); done
  if [[ ${#dead[@]} -eq ${#NODES[@]} && -d "$CLUSTER_DIR" ]]; then log "no node running: wiping stale state $CLUSTER_DIR"; rm -rf "$CLUSTER_DIR"; fi
  mkdir -p "$CLUSTER_DIR"
  for n in "${dead[@]}"; do launch_node "$n"; done
  deadline=$(($(date +%s) + TIMEOUT))
  for n in "${NODES[@]}"; do
    until node_ok "$n"; do
      node_pid "$n" >/dev/null || { [[ -s "$(node_dir "$n")/server.pid" ]] || sleep 0.5; node_pid "$n" >/dev/null || fail "node $n exited"; }
      (($(date +%s) >= deadline)) && fail "node $n did not answer a query over both shards within ${TIMEOUT} s"
      sleep 0.2
    done
  done
  log "up: cluster '$CLUSTER_NAME' of ${#NODES[@]} shards answers in $(since "$t0") s (started node(s) ${dead[*]:-none})"
  urls
}

cmd_down() { stop_nodes; rm -rf "$CLUSTER_DIR"; log "down: done (removed $CLUSTER_DIR)"; }

cmd_status() {
  local n pid ok=0 state
  for n in "${NODES[@]}"; do
    pid="$(node_pid "$n")" || pid=-
    if node_ok "$n"; then state=up; else state=down; ok=3; fi
    printf 'node%s %s pid=%s %s\n' "$n" "$(node_url "$n")" "$pid" "$state"
  done
  return $ok
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
