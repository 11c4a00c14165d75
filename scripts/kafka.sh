#!/usr/bin/env bash
# A real single-node Apache Kafka broker (KRaft mode: broker and controller in one JVM, no
# ZooKeeper) for the Kafka connector's tests and for developers, built from Maven Central
# artifacts (kafka/pom.xml) — no Docker needed. See docs/kafka.md.
#
#   scripts/kafka.sh fetch    download the jars into .kafka/lib (mvn dependency:copy-dependencies)
#   scripts/kafka.sh start    fetch if needed, format the storage once, start, wait until a client can list topics
#   scripts/kafka.sh stop     clean shutdown (SIGTERM, then SIGKILL after 30 s)
#   scripts/kafka.sh restart  stop, then start (the data is kept)
#   scripts/kafka.sh status   running or not; exit 0 when a client can reach it
#   scripts/kafka.sh reset    stop and delete the data (topics, offsets)
#
# Environment: WEIR_KAFKA_PORT (default 19092; the controller listens on the next port),
# WEIR_KAFKA_HOME (default <repo>/.kafka), WEIR_KAFKA_HEAP (default 512m).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
HOME_DIR="${WEIR_KAFKA_HOME:-$ROOT/.kafka}"
PORT="${WEIR_KAFKA_PORT:-19092}"
CONTROLLER_PORT="$((PORT + 1))"
HEAP="${WEIR_KAFKA_HEAP:-512m}"
LIB="$HOME_DIR/lib"
DATA="$HOME_DIR/data"
CONF="$HOME_DIR/config"
LOGS="$HOME_DIR/logs"
PID_FILE="$HOME_DIR/broker.pid"
# A fixed cluster id: the storage is formatted once and reused across restarts.
CLUSTER_ID="d2VpcmthZmthdGVzdDAxMg"

log() { echo "kafka.sh: $*" >&2; }

fetch() {
  local stamp="$LIB/.pom.sha256"
  local want
  want="$(sha256sum "$ROOT/kafka/pom.xml" | cut -d' ' -f1)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then return 0; fi
  command -v mvn >/dev/null || { log "mvn not found: install Maven (3.8+) and Java 17+"; exit 1; }
  log "fetching the Kafka jars into $LIB (Maven Central)"
  rm -rf "$LIB"
  mvn -q -B -f "$ROOT/kafka/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$LIB" -DincludeScope=runtime >&2
  echo "$want" > "$stamp"
}

write_config() {
  mkdir -p "$CONF" "$LOGS" "$DATA"
  cat > "$CONF/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$DATA
num.partitions=1
auto.create.topics.enable=true
# One node: every internal topic has one replica, and few partitions so that it starts fast.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
# Tests restart the broker and kill producers: let abandoned transactions time out quickly.
transaction.max.timeout.ms=900000
transaction.abort.timed.out.transaction.cleanup.interval.ms=5000
log.retention.hours=24
log.segment.bytes=67108864
EOF
  cat > "$CONF/log4j2.properties" <<EOF
status = warn
appender.file.type = File
appender.file.name = file
appender.file.fileName = $LOGS/server.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.file.ref = file
logger.kafka.name = kafka
logger.kafka.level = info
logger.apache.name = org.apache.kafka
logger.apache.level = info
logger.request.name = kafka.request.logger
logger.request.level = warn
EOF
}

running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE")"
  if kill -0 "$pid" 2>/dev/null; then echo "$pid"; return 0; fi
  return 1
}

# A real client call: kafkajs lists topics (connectors/kafka/test-broker.ts).
ready() {
  (cd "$ROOT" && node --import tsx connectors/kafka/test-broker.ts wait "127.0.0.1:$PORT" "$1" >&2)
}

JAVA=(java -Xmx"$HEAP" -Xms128m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true
  -Dlog4j2.configurationFile="$CONF/log4j2.properties" -cp "$LIB/*")

start() {
  if pid="$(running_pid)"; then log "already running (pid $pid) on 127.0.0.1:$PORT"; return 0; fi
  command -v java >/dev/null || { log "java not found: install Java 17+"; exit 1; }
  fetch
  write_config
  if [[ ! -f "$DATA/meta.properties" ]]; then
    log "formatting the storage in $DATA"
    "${JAVA[@]}" kafka.tools.StorageTool format -t "$CLUSTER_ID" -c "$CONF/server.properties" --ignore-formatted >"$LOGS/format.log" 2>&1 \
      || { cat "$LOGS/format.log" >&2; exit 1; }
  fi
  local started=$SECONDS
  # setsid: the broker outlives this script and is not hit by the caller's Ctrl-C.
  setsid "${JAVA[@]}" kafka.Kafka "$CONF/server.properties" >"$LOGS/stdout.log" 2>&1 < /dev/null &
  echo $! > "$PID_FILE"
  if ! ready 60000; then
    log "the broker did not become ready; last log lines:"
    tail -n 30 "$LOGS/server.log" "$LOGS/stdout.log" >&2 || true
    stop
    exit 1
  fi
  log "ready on 127.0.0.1:$PORT (pid $(cat "$PID_FILE"), $((SECONDS - started)) s)"
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then rm -f "$PID_FILE"; log "not running"; return 0; fi
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$PID_FILE"; log "stopped"; return 0; }
    sleep 0.1
  done
  log "no clean shutdown within 30 s: killing pid $pid"
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$PID_FILE"
}

status() {
  if pid="$(running_pid)"; then
    if ready 3000; then echo "running (pid $pid) on 127.0.0.1:$PORT"; return 0; fi
    echo "started (pid $pid) but not answering on 127.0.0.1:$PORT"; return 1
  fi
  echo "not running"; return 3
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) status ;;
  reset) stop; rm -rf "$DATA" ;;
  *) echo "usage: $0 fetch|start|stop|restart|status|reset" >&2; exit 2 ;;
esac
