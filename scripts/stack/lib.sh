# Helpers shared by the stack scripts (stack.sh, kafka-cluster.sh, redis-cluster.sh). Source it after
# setting STACK_LOG_NAME (the tag of every log line) and, for kafka_fetch_jars, KAFKA_VERSION,
# KAFKA_LIBS and SCRIPT_DIR.

log() { printf '[%s] %s\n' "$STACK_LOG_NAME" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "$STACK_LOG_NAME" "$*" >&2; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
port_open() { timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }
# kafka_cluster_id: a random 16-byte id in URL-safe base64 that does not start with '-' (as Kafka's own
# Uuid.randomUuid ensures): StorageTool would read "-t -xyz…" as a missing argument (1 format in 64 failed).
kafka_cluster_id() {
  local cid
  while :; do
    cid="$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    [[ "$cid" != -* ]] && { printf '%s' "$cid"; return; }
  done
}
# reserve_ports PORT|FROM-TO... : keeps the kernel from handing these ports to outgoing connections.
# Our listeners sit inside Linux's ephemeral range (32768-60999), so a client socket that happened to get
# 39194 made a broker's start fail ("Address already in use"). Needs root; skipped with a note otherwise.
reserve_ports() {
  local file=/proc/sys/net/ipv4/ip_local_reserved_ports current
  [[ -w "$file" ]] || { log "cannot reserve ports $* (not root): a listener may find its port taken by a client"; return 0; }
  current="$(cat "$file")"
  printf '%s\n' "${current:+$current,}$(IFS=,; echo "$*")" > "$file" 2>/dev/null || log "could not reserve ports $*"
}

# alive PID -> 0 while PID runs (a zombie counts as gone: the container's init may reap daemons late)
alive() { local s; s="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1; s="${s##*) }"; [[ "${s:0:1}" != Z ]]; }

# await_exit SECS PID... -> 0 once every PID is gone, 1 if one still runs after SECS seconds
await_exit() {
  local secs="$1" i p any
  shift
  for ((i = 0; i < secs * 10; i++)); do
    any=0
    for p in "$@"; do alive "$p" && any=1; done
    [[ $any -eq 0 ]] && return 0
    sleep 0.1
  done
  return 1
}

tail_log() { # tail_log FILE...
  local f
  for f in "$@"; do
    [[ -f "$f" ]] || continue
    printf -- '----- tail of %s -----\n' "$f" >&2
    tail -n 40 "$f" >&2 || true
  done
}

# kafka_fetch_jars MVN_LOG: org.apache.kafka:kafka_2.13 and its runtime jars from Maven Central into
# KAFKA_LIBS, once (a .complete marker makes an interrupted download start over).
kafka_fetch_jars() {
  if compgen -G "$KAFKA_LIBS/kafka_2.13-$KAFKA_VERSION.jar" >/dev/null && [[ -f "$KAFKA_LIBS/.complete" ]]; then
    return 0
  fi
  command -v mvn >/dev/null || die "mvn not found (needed once to fetch Kafka $KAFKA_VERSION from Maven Central)"
  command -v java >/dev/null || die "java (17+) not found"
  local t tmp mvn_log="$1"
  t=$(now)
  tmp="$KAFKA_LIBS.tmp.$$"
  rm -rf "$tmp" && mkdir -p "$tmp" "$(dirname "$mvn_log")"
  if ! mvn -q -B -f "$SCRIPT_DIR/pom.xml" -Dkafka.version="$KAFKA_VERSION" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" \
    >"$mvn_log" 2>&1 </dev/null; then
    rm -rf "$tmp"
    tail_log "$mvn_log"
    die "mvn could not fetch org.apache.kafka:kafka_2.13:$KAFKA_VERSION"
  fi
  touch "$tmp/.complete"
  rm -rf "$KAFKA_LIBS" && mkdir -p "$(dirname "$KAFKA_LIBS")" && mv "$tmp" "$KAFKA_LIBS"
  log "kafka: fetched $(ls "$KAFKA_LIBS" | wc -l) jars (kafka_2.13 $KAFKA_VERSION) in $(since "$t") s -> $KAFKA_LIBS"
}
