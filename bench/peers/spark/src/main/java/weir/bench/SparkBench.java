package weir.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.OutputMode;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.types.StructType;

/**
 * Apache Spark Structured Streaming peer of Weir's benchmark suite: the same queries on the same
 * JSON-lines files (bench/nexmark/generator.ts), local[2], file source with maxFilesPerTrigger = 1,
 * Trigger.AvailableNow, noop sink.
 *
 * Usage: SparkBench <dataDir> <rounds> <queries,comma,separated> [checkDir]
 *
 * Each round runs a query twice, on the first file only and on all files, so the caller can tell
 * the fixed cost of starting a query from the marginal cost per row. Prints one JSON line per
 * query. With checkDir, each query's output is also written there as JSON lines (foreachBatch).
 */
public final class SparkBench {
    static final StructType BID = StructType.fromDDL(
        "auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, url STRING, date_time TIMESTAMP, extra STRING");
    static final StructType PERSON = StructType.fromDDL(
        "id BIGINT, name STRING, email_address STRING, credit_card STRING, city STRING, state STRING, date_time TIMESTAMP, extra STRING");
    static final StructType AUCTION = StructType.fromDDL(
        "id BIGINT, item_name STRING, description STRING, initial_bid BIGINT, reserve BIGINT, date_time TIMESTAMP, expires TIMESTAMP, "
            + "seller BIGINT, category BIGINT, extra STRING");
    static final StructType CATEGORY = StructType.fromDDL("id BIGINT, name STRING");

    /** The queries, in Spark's dialect; the same rows as Weir's (bench/nexmark/queries.ts). */
    static final Map<String, String> QUERIES = Map.of(
        "q0", "SELECT auction, bidder, price, channel, url, date_time, extra FROM bid",
        "q1", "SELECT auction, bidder, 0.908D * price AS price, date_time, extra FROM bid",
        "q2", "SELECT auction, price FROM bid WHERE auction % 123 = 0",
        "q5", "SELECT window.start AS window_start, window.end AS window_end, auction, COUNT(*) AS num FROM bid "
            + "GROUP BY window(date_time, '10 seconds', '2 seconds'), auction",
        "q7", "SELECT window.start AS window_start, window.end AS window_end, MAX(price) AS maxprice FROM bid "
            + "GROUP BY window(date_time, '10 seconds')",
        "q8", "SELECT p.id, p.name, a.reserve FROM person p JOIN auction a "
            + "ON p.id = a.seller AND a.date_time BETWEEN p.date_time AND p.date_time + INTERVAL 10 SECONDS",
        "enrich", "SELECT b.auction, b.price, c.name FROM bid b JOIN category c ON c.id = b.auction % 10000");

    public static void main(String[] args) throws Exception {
        String dataDir = args[0];
        int rounds = Integer.parseInt(args[1]);
        String[] queries = args[2].split(",");
        Path checkDir = args.length > 3 ? Path.of(args[3]) : null;
        SparkSession spark = SparkSession.builder()
            .appName("weir-bench")
            .master("local[2]")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.ui.enabled", "false")
            .getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        Path scratch = Files.createTempDirectory("weir-spark-");
        for (String q : queries) {
            String sql = QUERIES.get(q);
            if (sql == null) throw new IllegalArgumentException("unknown query " + q);
            long rows = countRows(Path.of(dataDir), q, false);
            long oneRows = countRows(Path.of(dataDir), q, true);
            run(spark, dataDir, sql, true, scratch, null); // warm-up
            List<Long> all = new ArrayList<>();
            List<Long> one = new ArrayList<>();
            List<Long> cpu = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                one.add(run(spark, dataDir, sql, true, scratch, null)[0]);
                long[] t = run(spark, dataDir, sql, false, scratch, null);
                all.add(t[0]);
                cpu.add(t[1]);
            }
            if (checkDir != null) {
                Files.createDirectories(checkDir);
                Path out = checkDir.resolve("spark-" + q + ".jsonl");
                Files.deleteIfExists(out);
                Files.createFile(out);
                run(spark, dataDir, sql, false, scratch, out);
            }
            System.out.println("{\"engine\":\"spark\",\"query\":\"" + q + "\",\"rows\":" + rows + ",\"oneFileRows\":" + oneRows
                + ",\"allMs\":" + all + ",\"oneMs\":" + one + ",\"cpuMs\":" + cpu + ",\"peakRssMb\":" + peakRssMb() + "}");
        }
        spark.stop();
    }

    /** Runs the query to the end of the input; returns {wall ms, process CPU ms}. */
    static long[] run(SparkSession spark, String dataDir, String sql, boolean firstFileOnly, Path scratch, Path out) throws Exception {
        for (String[] s : new String[][] {{"bid", "BID"}, {"person", "PERSON"}, {"auction", "AUCTION"}}) {
            StructType schema = s[1].equals("BID") ? BID : s[1].equals("PERSON") ? PERSON : AUCTION;
            var reader = spark.readStream().schema(schema).option("maxFilesPerTrigger", 1);
            if (firstFileOnly) reader = reader.option("pathGlobFilter", "part-00000.json");
            reader.json(dataDir + "/" + s[0]).withWatermark("date_time", "1 second").createOrReplaceTempView(s[0]);
        }
        spark.read().schema(CATEGORY).json(dataDir + "/category").createOrReplaceTempView("category");
        Path checkpoint = Files.createTempDirectory(scratch, "cp-");
        long cpu0 = cpuNanos();
        long t0 = System.nanoTime();
        var writer = spark.sql(sql).writeStream()
            .outputMode(OutputMode.Append())
            .trigger(Trigger.AvailableNow())
            .option("checkpointLocation", checkpoint.toString());
        StreamingQuery query;
        if (out == null) {
            query = writer.format("noop").start();
        } else {
            VoidFunction2<Dataset<Row>, Long> append = (df, id) -> {
                List<String> lines = df.toJSON().collectAsList();
                if (!lines.isEmpty()) Files.write(out, lines, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            };
            query = writer.foreachBatch(append).start();
        }
        query.awaitTermination();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        return new long[] {ms, (cpuNanos() - cpu0) / 1_000_000};
    }

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
