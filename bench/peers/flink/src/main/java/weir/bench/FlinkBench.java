package weir.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.TableDescriptor;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

/**
 * Apache Flink SQL peer of Weir's benchmark suite: the same queries on the same JSON-lines files
 * (bench/nexmark/generator.ts), streaming mode in a local mini-cluster with parallelism 2,
 * filesystem source, blackhole sink.
 *
 * Usage: FlinkBench <dataDir> <rounds> <queries,comma,separated> [checkDir]
 *
 * Each round runs a query twice, on the first file only and on all files, so the caller can tell
 * the fixed cost of submitting a job from the marginal cost per row. Prints one JSON line per
 * query. With checkDir, each query's output is also collected and written there as JSON lines.
 */
public final class FlinkBench {
    static final String BID = "auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, url STRING, date_time TIMESTAMP_LTZ(3), extra STRING";
    static final String PERSON = "id BIGINT, name STRING, email_address STRING, credit_card STRING, city STRING, state STRING, "
        + "date_time TIMESTAMP_LTZ(3), extra STRING";
    static final String AUCTION = "id BIGINT, item_name STRING, description STRING, initial_bid BIGINT, reserve BIGINT, "
        + "date_time TIMESTAMP_LTZ(3), expires TIMESTAMP_LTZ(3), seller BIGINT, category BIGINT, extra STRING";
    static final String WATERMARK = ", WATERMARK FOR date_time AS date_time - INTERVAL '1' SECOND";
    /**
     * For the correctness check only: the filesystem source hands files to its readers in no
     * particular order, so with a 1 s bound a reader that moves on to an older file drops its rows
     * as late (Flink's documented watermark behaviour for unordered sources). A bound covering the
     * whole input drops nothing, and the end of the bounded input still closes every window.
     */
    static final String CHECK_WATERMARK = ", WATERMARK FOR date_time AS date_time - INTERVAL '1' HOUR";

    /** The queries, in Flink's dialect; the same rows as Weir's (bench/nexmark/queries.ts). */
    static final Map<String, String> QUERIES = Map.of(
        "q0", "SELECT auction, bidder, price, channel, url, date_time, extra FROM bid",
        "q1", "SELECT auction, bidder, CAST(0.908 AS DOUBLE) * price AS price, date_time, extra FROM bid",
        "q2", "SELECT auction, price FROM bid WHERE MOD(auction, 123) = 0",
        "q5", "SELECT window_start, window_end, auction, COUNT(*) AS num FROM TABLE("
            + "HOP(TABLE bid, DESCRIPTOR(date_time), INTERVAL '2' SECOND, INTERVAL '10' SECOND)) GROUP BY window_start, window_end, auction",
        "q7", "SELECT window_start, window_end, MAX(price) AS maxprice FROM TABLE("
            + "TUMBLE(TABLE bid, DESCRIPTOR(date_time), INTERVAL '10' SECOND)) GROUP BY window_start, window_end",
        "q8", "SELECT p.id, p.name, a.reserve FROM person p JOIN auction a "
            + "ON p.id = a.seller AND a.date_time BETWEEN p.date_time AND p.date_time + INTERVAL '10' SECOND",
        "enrich", "SELECT b.auction, b.price, c.name FROM bid b JOIN category c ON c.id = MOD(b.auction, 10000)");

    public static void main(String[] args) throws Exception {
        String dataDir = args[0];
        int rounds = Integer.parseInt(args[1]);
        String[] queries = args[2].split(",");
        Path checkDir = args.length > 3 ? Path.of(args[3]) : null;
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        env.getConfig().set("parallelism.default", "2");
        env.getConfig().set("table.local-time-zone", "UTC");
        for (String q : queries) {
            String sql = QUERIES.get(q);
            if (sql == null) throw new IllegalArgumentException("unknown query " + q);
            long rows = SparkStyle.countRows(Path.of(dataDir), q, false);
            long oneRows = SparkStyle.countRows(Path.of(dataDir), q, true);
            run(env, dataDir, sql, true, null); // warm-up
            List<Long> all = new ArrayList<>();
            List<Long> one = new ArrayList<>();
            List<Long> cpu = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                one.add(run(env, dataDir, sql, true, null)[0]);
                long[] t = run(env, dataDir, sql, false, null);
                all.add(t[0]);
                cpu.add(t[1]);
            }
            if (checkDir != null) {
                Files.createDirectories(checkDir);
                run(env, dataDir, sql, false, checkDir.resolve("flink-" + q + ".jsonl"));
            }
            System.out.println("{\"engine\":\"flink\",\"query\":\"" + q + "\",\"rows\":" + rows + ",\"oneFileRows\":" + oneRows
                + ",\"allMs\":" + all + ",\"oneMs\":" + one + ",\"cpuMs\":" + cpu + ",\"peakRssMb\":" + SparkStyle.peakRssMb() + "}");
        }
    }

    static void createTables(TableEnvironment env, String dataDir, boolean firstFileOnly, boolean check) {
        String[][] streams = {{"bid", BID}, {"person", PERSON}, {"auction", AUCTION}};
        for (String[] s : streams) {
            env.executeSql("DROP TEMPORARY TABLE IF EXISTS " + s[0]);
            String path = dataDir + "/" + s[0] + (firstFileOnly ? "/part-00000.json" : "");
            env.executeSql("CREATE TEMPORARY TABLE " + s[0] + " (" + s[1] + (check ? CHECK_WATERMARK : WATERMARK) + ") WITH ('connector' = 'filesystem', 'path' = '" + path
                + "', 'format' = 'json', 'json.timestamp-format.standard' = 'ISO-8601')");
        }
        env.executeSql("DROP TEMPORARY TABLE IF EXISTS category");
        env.executeSql("CREATE TEMPORARY TABLE category (id BIGINT, name STRING) WITH ('connector' = 'filesystem', 'path' = '"
            + dataDir + "/category', 'format' = 'json')");
    }

    /** Runs the query to the end of the input; returns {wall ms, process CPU ms}. */
    static long[] run(TableEnvironment env, String dataDir, String sql, boolean firstFileOnly, Path out) throws Exception {
        createTables(env, dataDir, firstFileOnly, out != null);
        long cpu0 = SparkStyle.cpuNanos();
        long t0 = System.nanoTime();
        Table table = env.sqlQuery(sql);
        if (out == null) {
            TableResult result = table.executeInsert(TableDescriptor.forConnector("blackhole")
                .schema(Schema.newBuilder().fromResolvedSchema(table.getResolvedSchema()).build()).build());
            result.await();
        } else {
            List<String> names = table.getResolvedSchema().getColumnNames();
            List<String> lines = new ArrayList<>();
            try (CloseableIterator<Row> it = table.execute().collect()) {
                while (it.hasNext()) lines.add(toJson(names, it.next()));
            }
            Files.write(out, lines, StandardCharsets.UTF_8);
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        return new long[] {ms, (SparkStyle.cpuNanos() - cpu0) / 1_000_000};
    }

    static String toJson(List<String> names, Row row) {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < names.size(); i++) {
            if (i > 0) b.append(',');
            b.append('"').append(names.get(i)).append("\":");
            Object v = row.getField(i);
            if (v == null) b.append("null");
            else if (v instanceof Number || v instanceof Boolean) b.append(v);
            else if (v instanceof Instant t) b.append('"').append(t).append('"');
            else if (v instanceof LocalDateTime t) b.append('"').append(t.toInstant(ZoneOffset.UTC)).append('"');
            else b.append('"').append(v.toString().replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        return b.append('}').toString();
    }

    /** Helpers shared in spirit with SparkBench (kept here so each peer builds alone). */
    static final class SparkStyle {
        static long countRows(Path dataDir, String q, boolean firstFileOnly) throws IOException {
            String[] streams = q.equals("q8") ? new String[] {"person", "auction"} : new String[] {"bid"};
            long n = 0;
            for (String s : streams) {
                try (var files = Files.list(dataDir.resolve(s))) {
                    for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                        if (firstFileOnly && !f.getFileName().toString().equals("part-00000.json")) continue;
                        try (var lines = Files.lines(f)) {
                            n += lines.filter(l -> !l.isEmpty()).count();
                        }
                    }
                }
            }
            return n;
        }

        static long cpuNanos() {
            return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
        }

        static long peakRssMb() throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
            return -1;
        }
    }
}
