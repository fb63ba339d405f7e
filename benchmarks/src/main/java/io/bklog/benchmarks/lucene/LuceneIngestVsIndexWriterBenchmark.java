package io.bklog.benchmarks.lucene;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.lucene.LuceneLogStore;
import io.bklog.lucene.TextAnalyzer;
import io.bklog.spi.BulkResult;
import io.bklog.spi.LogDocument;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.DoublePoint;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.InetAddressPoint;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.SortedNumericDocValuesField;
import org.apache.lucene.document.SortedSetDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.NumericUtils;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Documents per second through {@link LuceneLogStore#index} (mapping, normalization, JSON source, write-ahead log
 * fsynced per batch, daily routing, {@code updateDocument} by id) against a raw {@link IndexWriter} adding the same
 * Lucene documents (same fields, same codec, same analyzer, no log, no fsync). One operation is one document; each
 * invocation indexes a batch of {@link #BATCH} documents with fresh ids.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g"})
public class LuceneIngestVsIndexWriterBenchmark {
    static final int BATCH = 1000;
    static final int POOL = 50_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A pool of documents (one day); ids get a per-invocation prefix so every batch adds new documents. */
    @State(Scope.Benchmark)
    public static class Corpus {
        List<LogDocument> pool;

        @Setup(Level.Trial)
        public void setUp() {
            pool = LogCorpus.documents("d", 0, POOL, 86_400_000L - 1, POOL);
        }

        List<LogDocument> batch(long n) {
            int from = (int) ((n * BATCH) % POOL);
            List<LogDocument> out = new ArrayList<>(BATCH);
            for (int i = 0; i < BATCH; i++) {
                LogDocument d = pool.get(from + i);
                out.add(new LogDocument(n + "-" + i, d.timestamp(), d.fields()));
            }
            return out;
        }
    }

    @State(Scope.Benchmark)
    public static class Store {
        @Param({"wal"})
        public String mode;
        Path dir;
        LuceneLogStore store;
        long n;

        @Setup(Level.Trial)
        public void open() throws IOException {
            dir = Files.createTempDirectory("bench-store");
            store = LuceneLogStore.builder().dataDir(dir).build();
            store.ensureIndexSet(LogCorpus.SCHEMA);
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            store.close();
            deleteRecursively(dir);
        }
    }

    @State(Scope.Benchmark)
    public static class Raw {
        Path dir;
        IndexWriter writer;
        long n;

        @Setup(Level.Trial)
        public void open() throws IOException {
            dir = Files.createTempDirectory("bench-raw");
            IndexWriterConfig c = new IndexWriterConfig(new TextAnalyzer());
            c.setCodec(new Lucene912Codec(Lucene912Codec.Mode.BEST_COMPRESSION));
            c.setRAMBufferSizeMB(LuceneLogStore.DEFAULT_RAM_BUFFER_MB);
            writer = new IndexWriter(FSDirectory.open(dir), c);
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            writer.close();
            writer.getDirectory().close();
            deleteRecursively(dir);
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public BulkResult luceneStore(Corpus corpus, Store s) {
        BulkResult r = s.store.index(LogCorpus.SET, corpus.batch(s.n++));
        if (!r.allOk()) throw new IllegalStateException("batch not stored: " + r.items().get(0));
        return r;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long rawIndexWriter(Corpus corpus, Raw raw) throws IOException {
        long seq = 0;
        for (LogDocument d : corpus.batch(raw.n++)) seq = raw.writer.addDocument(toLucene(d));
        return seq;
    }

    /** What a hand-written indexer of the same documents builds: the same fields and a JSON source. */
    static Document toLucene(LogDocument d) throws IOException {
        Document doc = new Document();
        doc.add(new StringField("_id", d.id(), Field.Store.NO));
        doc.add(new SortedDocValuesField("_id", new BytesRef(d.id())));
        Map<String, Object> f = d.fields();
        long t = d.timestamp().toEpochMilli();
        doc.add(new LongPoint("dtEventTimeStamp", t));
        doc.add(new SortedNumericDocValuesField("dtEventTimeStamp", t));
        doc.add(new TextField("log", (String) f.get("log"), Field.Store.NO));
        for (String k : List.of("level", "host", "path")) {
            BytesRef v = new BytesRef((String) f.get(k));
            doc.add(new StringField(k, v, Field.Store.NO));
            doc.add(new SortedSetDocValuesField(k, v));
        }
        long status = (Long) f.get("status");
        doc.add(new LongPoint("status", status));
        doc.add(new SortedNumericDocValuesField("status", status));
        double latency = (Double) f.get("latency");
        doc.add(new DoublePoint("latency", latency));
        doc.add(new SortedNumericDocValuesField("latency", NumericUtils.doubleToSortableLong(latency)));
        String ip = (String) f.get("client_ip");
        doc.add(new StringField("client_ip", ip, Field.Store.NO));
        doc.add(new SortedSetDocValuesField("client_ip", new BytesRef(ip)));
        doc.add(new InetAddressPoint("client_ip", InetAddress.getByName(ip)));
        doc.add(new StoredField("_source", JSON.writeValueAsBytes(f)));
        return doc;
    }

    static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
