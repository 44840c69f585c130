import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Does an unknown username cost the same as a known one? (issue 15, item 4.) Provisions three kinds of users through
 * the admin API of a running Jeton, then sends wrong values one request at a time and compares the client-side latency
 * of four cases: an unknown username, a user with a password and a TOTP token with a PIN, a user with a PIN token and
 * no password, and a user whose token has no PIN yet. Each of three input shapes (10 digits = PIN + code, 6 digits =
 * code alone, 12 letters and digits = password) gets its own block of rounds; a round sends one fresh random wrong
 * value per case, the cases in a new random order each round, so that drift of a shared machine and any effect of the
 * previous request hit every case alike. Per shape and case it reports median, p90 and p99; per pair of cases the
 * two-sample Kolmogorov–Smirnov statistic and its asymptotic p-value; and the verdict of the issue (medians within
 * 10 % of each other, no pair apart at p &lt; 0.01).
 *
 * <p>JDK only, run with the single-file source launcher: {@code java TimingProbe.java --self-check} tests the
 * statistics on known cases; {@code loadtest/timing.sh} starts Redis and Jeton and runs the measurement. Traffic goes
 * to loopback URLs only. The admin token is read from {@code JETON_ADMIN_TOKEN}, never from the command line.
 */
public final class TimingProbe {

  /** The four cases, in the order of the tables. The letter goes into the username, so every name has one length. */
  enum Kind {
    UNKNOWN("unknown", 'u'), PASSWORD("password user", 'w'), PIN("PIN user", 'p'), NO_PIN("PIN-less user", 'n');

    final String label;
    final char letter;

    Kind(String label, char letter) {
      this.label = label;
      this.letter = letter;
    }
  }

  /** The input shapes of the issue. Lengths are fixed so that every request of a shape hashes the same length. */
  enum Shape {
    PASSCODE("10 digits (PIN + code)"), CODE("6 digits (code alone)"), PASSWORD("12 letters and digits (password)");

    final String label;

    Shape(String label) {
      this.label = label;
    }

    String random(Random r) {
      switch (this) {
        case PASSCODE:
          return digits(r, 10);
        case CODE:
          return digits(r, 6);
        default:
          StringBuilder b = new StringBuilder(12);
          b.append(LETTERS.charAt(r.nextInt(LETTERS.length())));
          for (int i = 1; i < 12; i++) {
            b.append(ALNUM.charAt(r.nextInt(ALNUM.length())));
          }
          return b.toString();
      }
    }

    private static String digits(Random r, int n) {
      StringBuilder b = new StringBuilder(n);
      for (int i = 0; i < n; i++) {
        b.append((char) ('0' + r.nextInt(10)));
      }
      return b.toString();
    }
  }

  private static final String LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final String ALNUM = LETTERS + "0123456789";
  private static final String PIN = "2580";
  private static final double MEDIAN_SPREAD = 0.10;
  private static final double ALPHA = 0.01;
  /** A user gets at most this many failures, under JETON_LOCKOUT_FAILURES = 1000 (a lock would change the work). */
  private static final int FAILURES_PER_USER = 500;
  private static final Pattern CREATED = Pattern.compile("\"created\"\\s*:\\s*(\\d+)");
  private static final Pattern SECRET = Pattern.compile("\"secret\"\\s*:\\s*\"([^\"\\\\]+)\"");

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = options(args);
    if (opts.containsKey("self-check")) {
      System.exit(SelfCheck.run() ? 0 : 1);
    }
    // Exit code 3: the verdict is FAIL (the report is written all the same).
    System.exit(new TimingProbe(opts).run() ? 0 : 3);
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> o = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument " + args[i]);
      }
      String name = args[i].substring(2);
      if (name.equals("self-check")) {
        o.put(name, "true");
      } else if (i + 1 < args.length) {
        o.put(name, args[++i]);
      } else {
        throw new IllegalArgumentException("--" + name + " needs a value");
      }
    }
    return o;
  }

  private final String publicUrl;
  private final String adminUrl;
  private final String adminToken;
  private final int samples;
  private final int warmup;
  private final int usersPerCase;
  private final long seed;
  private final long deadlineNanos;
  private final Path report;
  private final Path raw;
  private final String command;
  private final String machine;
  private final String runId;
  private final Random random;
  private final HttpClient http = HttpClient.newBuilder()
      .proxy(HttpClient.Builder.NO_PROXY)
      .connectTimeout(Duration.ofSeconds(5))
      .version(HttpClient.Version.HTTP_1_1)
      .build();
  private String clientSecret;

  private TimingProbe(Map<String, String> o) throws IOException {
    publicUrl = loopback(o.getOrDefault("public", "http://127.0.0.1:8080"));
    adminUrl = loopback(o.getOrDefault("admin", "http://127.0.0.1:8081"));
    adminToken = System.getenv("JETON_ADMIN_TOKEN");
    if (adminToken == null || adminToken.isEmpty()) {
      throw new IllegalArgumentException("set JETON_ADMIN_TOKEN to an admin bearer token");
    }
    samples = positive(o.getOrDefault("samples", "2000"), "samples");
    warmup = Integer.parseInt(o.getOrDefault("warmup", String.valueOf(Math.max(20, samples / 10))));
    int failures = Shape.values().length * (samples + warmup);
    usersPerCase = o.containsKey("users") ? positive(o.get("users"), "users")
        : Math.max(8, (failures + FAILURES_PER_USER - 1) / FAILURES_PER_USER);
    if ((failures + usersPerCase - 1) / usersPerCase >= 1000) {
      throw new IllegalArgumentException("too few users: each would reach JETON_LOCKOUT_FAILURES (1000)");
    }
    seed = Long.parseLong(o.getOrDefault("seed", String.valueOf(new SecureRandom().nextLong())));
    random = new Random(seed);
    deadlineNanos = System.nanoTime() + Duration.ofMinutes(Long.parseLong(o.getOrDefault("max-minutes", "150")))
        .toNanos();
    report = o.containsKey("report") ? Path.of(o.get("report")) : null;
    raw = o.containsKey("raw") ? Path.of(o.get("raw")) : null;
    command = o.getOrDefault("command", "java TimingProbe.java ...");
    machine = o.containsKey("machine-file") ? Files.readString(Path.of(o.get("machine-file"))).strip() : "";
    runId = Long.toString(Math.floorMod(new SecureRandom().nextLong(), 36L * 36 * 36 * 36 * 36 * 36), 36);
  }

  private static int positive(String v, String name) {
    int n = Integer.parseInt(v);
    if (n < 1) {
      throw new IllegalArgumentException("--" + name + " must be at least 1");
    }
    return n;
  }

  /** Refuses anything but loopback: this tool sends thousands of failed logins. */
  private static String loopback(String url) {
    String host = URI.create(url).getHost();
    if (host == null || !(host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]"))) {
      throw new IllegalArgumentException("not a loopback URL: " + url);
    }
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  private String user(Kind k, int i) {
    return String.format("t%6s%c%04d", runId, k.letter, i).replace(' ', '0');
  }

  // ---- provisioning, through the admin API only ----

  private void provision() {
    StringBuilder ndjson = new StringBuilder();
    SecureRandom r = new SecureRandom();
    for (Kind k : new Kind[] {Kind.PASSWORD, Kind.PIN, Kind.NO_PIN}) {
      for (int i = 0; i < usersPerCase; i++) {
        byte[] seedBytes = new byte[20];
        r.nextBytes(seedBytes);
        String u = user(k, i);
        ndjson.append("{\"username\":\"").append(u).append('"');
        if (k == Kind.PASSWORD) {
          // A password nobody sends: the measured values are all wrong.
          byte[] password = new byte[12];
          r.nextBytes(password);
          ndjson.append(",\"password\":\"").append(Base64.getUrlEncoder().withoutPadding().encodeToString(password))
              .append('"');
        }
        ndjson.append(",\"token\":{\"serial\":\"TM-").append(u).append("\",\"type\":\"totp\",\"algorithm\":\"SHA1\"")
            .append(",\"digits\":6,\"period\":30,\"secret\":\"").append(base32(seedBytes)).append('"');
        if (k != Kind.NO_PIN) {
          ndjson.append(",\"pin\":\"").append(PIN).append('"');
        }
        ndjson.append("}}\n");
      }
    }
    HttpResponse<String> a = send(admin("/v1/admin/bulk").header("Content-Type", "application/x-ndjson")
        .POST(HttpRequest.BodyPublishers.ofString(ndjson.toString())), Duration.ofMinutes(5));
    Matcher m = CREATED.matcher(a.body());
    if (a.statusCode() != 200 || !m.find() || Integer.parseInt(m.group(1)) != 3 * usersPerCase) {
      throw new IllegalStateException("bulk load answered " + a.statusCode() + ": " + a.body());
    }
    // Each case is what it claims to be (a wrong provisioning would make the comparison meaningless).
    expectView(Kind.PASSWORD, "\"hasPassword\":true", "\"pinSet\":true");
    expectView(Kind.PIN, "\"hasPassword\":false", "\"pinSet\":true");
    expectView(Kind.NO_PIN, "\"hasPassword\":false", "\"pinSet\":false");
    int unknown = send(admin("/v1/admin/users/" + user(Kind.UNKNOWN, 0)).GET(), Duration.ofSeconds(30)).statusCode();
    if (unknown != 404) {
      throw new IllegalStateException("the unknown user exists? GET answered " + unknown);
    }
    HttpResponse<String> c = send(admin("/v1/admin/clients/timing-" + runId)
        .PUT(HttpRequest.BodyPublishers.ofString("{\"trustClientIp\":false}")), Duration.ofSeconds(30));
    Matcher s = SECRET.matcher(c.body());
    if (c.statusCode() / 100 != 2 || !s.find()) {
      throw new IllegalStateException("PUT /v1/admin/clients answered " + c.statusCode());
    }
    clientSecret = s.group(1);
  }

  private void expectView(Kind k, String... parts) {
    for (int i = 0; i < usersPerCase; i++) {
      HttpResponse<String> v = send(admin("/v1/admin/users/" + user(k, i)).GET(), Duration.ofSeconds(30));
      String body = v.body().replace(" ", "");
      for (String p : parts) {
        if (v.statusCode() != 200 || !body.contains(p)) {
          throw new IllegalStateException(user(k, i) + " is not a " + k.label + ": " + v.statusCode() + " " + body);
        }
      }
    }
  }

  private HttpRequest.Builder admin(String path) {
    return HttpRequest.newBuilder(URI.create(adminUrl + path)).header("Authorization", "Bearer " + adminToken);
  }

  private HttpResponse<String> send(HttpRequest.Builder b, Duration timeout) {
    try {
      return http.send(b.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException("request failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static String base32(byte[] bytes) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    StringBuilder b = new StringBuilder();
    int buffer = 0;
    int bits = 0;
    for (byte x : bytes) {
      buffer = buffer << 8 | x & 0xff;
      bits += 8;
      while (bits >= 5) {
        b.append(alphabet.charAt(buffer >>> bits - 5 & 31));
        bits -= 5;
      }
    }
    if (bits > 0) {
      b.append(alphabet.charAt(buffer << 5 - bits & 31));
    }
    return b.toString();
  }

  // ---- measuring ----

  /** Latencies in nanoseconds, per shape and case, and the answers that were not the expected REJECT. */
  private final Map<Shape, Map<Kind, long[]>> latencies = new LinkedHashMap<>();
  private final Map<Shape, Map<Kind, Map<String, Integer>>> surprises = new LinkedHashMap<>();
  private final Map<Shape, Double> blockSeconds = new LinkedHashMap<>();
  private final Set<String> used = new HashSet<>();
  private final int[] nextUser = new int[Kind.values().length];
  private StringBuilder rawCsv;

  /** Provisions, warms up, measures, reports; true when every shape passes the verdict. */
  private boolean run() throws IOException {
    Instant started = Instant.now();
    String loadBefore = loadAverage();
    System.out.printf(Locale.ROOT, "run %s: %d users per case, %d warm-up rounds and %d measured rounds per shape,"
        + " seed %d%n", runId, usersPerCase, warmup, samples, seed);
    provision();
    if (raw != null) {
      rawCsv = new StringBuilder("shape,case,round,nanos,status\n");
    }
    // Warm-up of every shape first, so that no measured block runs code the JIT has not seen yet.
    for (Shape s : Shape.values()) {
      long t = System.nanoTime();
      rounds(s, warmup, false);
      System.out.printf(Locale.ROOT, "warm-up %-34s %6.1f s%n", s.label, (System.nanoTime() - t) / 1e9);
    }
    for (Shape s : Shape.values()) {
      long t = System.nanoTime();
      rounds(s, samples, true);
      blockSeconds.put(s, (System.nanoTime() - t) / 1e9);
      System.out.printf(Locale.ROOT, "measured %-33s %6.1f s%n", s.label, blockSeconds.get(s));
    }
    Instant ended = Instant.now();
    String text = results(started, ended, loadBefore, loadAverage());
    boolean pass = text.contains("VERDICT: PASS");
    System.out.println();
    System.out.println(text);
    if (report != null) {
      Files.createDirectories(report.toAbsolutePath().getParent());
      Files.writeString(report, text + "\n", StandardCharsets.UTF_8);
      System.out.println("report written to " + report);
    }
    if (raw != null) {
      Files.writeString(raw, rawCsv, StandardCharsets.UTF_8);
      System.out.println("samples written to " + raw);
    }
    return pass;
  }

  private void rounds(Shape shape, int count, boolean measured) {
    Kind[] order = Kind.values().clone();
    Map<Kind, long[]> lat = latencies.computeIfAbsent(shape, s -> new LinkedHashMap<>());
    Map<Kind, Map<String, Integer>> odd = surprises.computeIfAbsent(shape, s -> new LinkedHashMap<>());
    if (measured) {
      for (Kind k : Kind.values()) {
        lat.put(k, new long[count]);
        odd.put(k, new TreeMap<>());
      }
    }
    for (int round = 0; round < count; round++) {
      if (System.nanoTime() > deadlineNanos) {
        throw new IllegalStateException("--max-minutes reached: stopped in " + shape.label + " at round " + round);
      }
      shuffle(order);
      for (Kind k : order) {
        HttpRequest request = login(k, freshValue(shape));
        long t0 = System.nanoTime();
        HttpResponse<String> a = send(request);
        long nanos = System.nanoTime() - t0;
        String outcome = a.statusCode() == 401 && a.body().contains("INVALID_CREDENTIALS") ? null
            : a.statusCode() + " " + a.body().substring(0, Math.min(80, a.body().length()));
        if (outcome != null && outcome.contains("rate_limited") || outcome != null && outcome.contains("LOCKED")) {
          throw new IllegalStateException("a lock or a 429 would change the work measured: " + outcome);
        }
        if (measured) {
          lat.get(k)[round] = nanos;
          if (outcome != null) {
            odd.get(k).merge(outcome, 1, Integer::sum);
          }
          if (rawCsv != null) {
            rawCsv.append(shape).append(',').append(k).append(',').append(round).append(',').append(nanos)
                .append(',').append(a.statusCode()).append('\n');
          }
        }
      }
    }
  }

  private void shuffle(Kind[] a) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      Kind t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /** A value never sent before in this run, so that every request counts as a new failure. */
  private String freshValue(Shape shape) {
    for (int attempt = 0; attempt < 1000; attempt++) {
      String v = shape.random(random);
      if (used.add(v)) {
        return v;
      }
    }
    throw new IllegalStateException("no fresh value after 1000 draws");
  }

  /** The next user of the case, round-robin over its users, so every user of a case gets the same share. */
  private HttpRequest login(Kind k, String value) {
    String u = user(k, nextUser[k.ordinal()]++ % usersPerCase);
    String body = "{\"username\":\"" + u + "\",\"password\":\"" + value + "\"}";
    return HttpRequest.newBuilder(URI.create(publicUrl + "/v1/authenticate"))
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + clientSecret)
        .timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private HttpResponse<String> send(HttpRequest r) {
    try {
      return http.send(r, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException("login request failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (IOException e) {
      return "unknown";
    }
  }

  // ---- the report ----

  private String results(Instant started, Instant ended, String loadBefore, String loadAfter) {
    StringWriter sw = new StringWriter();
    PrintWriter o = new PrintWriter(sw);
    Kind[] kinds = Kind.values();
    boolean allPass = true;
    List<String> verdicts = new ArrayList<>();
    o.printf("# Timing of unknown and known users (issue 15, item 4) — %s%n%n", started.toString().substring(0, 10));
    o.printf("Command: `%s`%n%n", command);
    o.printf(Locale.ROOT, "Run `%s`, %s to %s (UTC); load average before: `%s`, after: `%s`. Seed `%d`.%n%n", runId,
        started.toString().substring(0, 19), ended.toString().substring(0, 19), loadBefore, loadAfter, seed);
    if (!machine.isEmpty()) {
      o.println("Machine and build:");
      o.println();
      o.println("```");
      o.println(machine);
      o.println("```");
      o.println();
    }
    o.printf(Locale.ROOT, "Method: %d users per known case (and as many unknown names); per input shape %d warm-up "
        + "rounds (all shapes first), then %d measured rounds; a round sends one fresh random wrong value per case, "
        + "one request at a time, the four cases in a new random order each round. Latency is client-side "
        + "(`System.nanoTime()` around `HttpClient.send`, one keep-alive HTTP/1.1 connection on loopback). Median of "
        + "an even count is the mean of the middle two; p90 and p99 are nearest-rank. KS: two-sample "
        + "Kolmogorov–Smirnov statistic D, p-value from the asymptotic Kolmogorov distribution with "
        + "λ = (√Ne + 0.12 + 0.11/√Ne)·D, Ne = n·m/(n+m). Verdict per shape (the issue's): the largest median at "
        + "most %.0f %% above the smallest, and no pair of cases with p < %s.%n%n", usersPerCase, warmup, samples,
        MEDIAN_SPREAD * 100, ALPHA);
    for (Shape s : Shape.values()) {
      Map<Kind, long[]> lat = latencies.get(s);
      Map<Kind, long[]> sorted = new LinkedHashMap<>();
      for (Kind k : kinds) {
        long[] x = lat.get(k).clone();
        Arrays.sort(x);
        sorted.put(k, x);
      }
      o.printf(Locale.ROOT, "## %s — %d per case, %.0f s%n%n", s.label, samples, blockSeconds.get(s));
      o.println("| case | n | p10 ms | median ms | p90 ms | p99 ms | other answers |");
      o.println("|---|---:|---:|---:|---:|---:|---|");
      double minMedian = Double.MAX_VALUE;
      double maxMedian = 0;
      for (Kind k : kinds) {
        long[] x = sorted.get(k);
        double median = Stats.median(x) / 1e6;
        minMedian = Math.min(minMedian, median);
        maxMedian = Math.max(maxMedian, median);
        Map<String, Integer> odd = surprises.get(s).get(k);
        o.printf(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f | %.2f | %s |%n", k.label, x.length,
            Stats.quantile(x, 0.10) / 1e6, median, Stats.quantile(x, 0.90) / 1e6, Stats.quantile(x, 0.99) / 1e6,
            odd.isEmpty() ? "none" : odd.toString().replace("|", "\\|"));
      }
      o.println();
      o.println("| pair | D | p | apart at p < 0.01 |");
      o.println("|---|---:|---:|---|");
      double minP = 1;
      for (int i = 0; i < kinds.length; i++) {
        for (int j = i + 1; j < kinds.length; j++) {
          long[] a = sorted.get(kinds[i]);
          long[] b = sorted.get(kinds[j]);
          double d = Stats.ksStatistic(a, b);
          double p = Stats.ksPValue(d, a.length, b.length);
          minP = Math.min(minP, p);
          o.printf(Locale.ROOT, "| %s / %s | %.4f | %s | %s |%n", kinds[i].label, kinds[j].label, d, pText(p),
              p < ALPHA ? "**yes**" : "no");
        }
      }
      o.println();
      // Calibration: the same case, even rounds against odd rounds (different users of the same kind). Identical
      // distributions by construction, so these p-values show how often the test cries wolf on this machine.
      StringBuilder aa = new StringBuilder();
      for (Kind k : kinds) {
        long[][] halves = Stats.evenOdd(lat.get(k));
        double d = Stats.ksStatistic(halves[0], halves[1]);
        aa.append(String.format(Locale.ROOT, "%s D=%.4f p=%s; ", k.label, d,
            pText(Stats.ksPValue(d, halves[0].length, halves[1].length))));
      }
      o.printf("Control (same case, even rounds against odd rounds; not part of the verdict): %s%n%n",
          aa.substring(0, aa.length() - 2));
      double spread = (maxMedian - minMedian) / minMedian;
      boolean pass = spread <= MEDIAN_SPREAD && minP >= ALPHA;
      allPass &= pass;
      String v = String.format(Locale.ROOT, "%s: medians %.2f–%.2f ms (spread %.1f %%, %s), smallest KS p = %s (%s)"
              + " → **%s**", s.label, minMedian, maxMedian, spread * 100, spread <= MEDIAN_SPREAD ? "≤ 10 %" : "> 10 %",
          pText(minP), minP >= ALPHA ? "≥ 0.01" : "< 0.01", pass ? "PASS" : "FAIL");
      verdicts.add(v);
      o.println("Verdict: " + v);
      o.println();
    }
    o.println("## Verdict");
    o.println();
    for (String v : verdicts) {
      o.println("- " + v);
    }
    o.println();
    o.printf("VERDICT: %s (every shape: medians within 10 %% of each other and no pair of cases apart at p < 0.01)%n",
        allPass ? "PASS" : "FAIL");
    o.flush();
    return sw.toString().strip();
  }

  /** Three decimals, or scientific below 0.001; a p that underflows a double (λ above about 19) is "< 1e-300". */
  private static String pText(double p) {
    if (p < 1e-300) {
      return "< 1e-300";
    }
    return p >= 0.001 ? String.format(Locale.ROOT, "%.3f", p) : String.format(Locale.ROOT, "%.1e", p);
  }

  /** Order statistics and the two-sample Kolmogorov–Smirnov test, on sorted arrays. */
  static final class Stats {
    private Stats() {}

    /** The median of a sorted array; of an even count, the mean of the middle two. */
    static double median(long[] sorted) {
      int n = sorted.length;
      return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + (double) sorted[n / 2]) / 2;
    }

    /** Nearest rank: the smallest value with at least a share q of the sample at or below it. */
    static double quantile(long[] sorted, double q) {
      int rank = (int) Math.ceil(q * sorted.length);
      return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /**
     * D = the largest distance between the two empirical distribution functions. Both are compared only after every
     * element equal to the current value has been counted on both sides, so ties add nothing to D.
     */
    static double ksStatistic(long[] a, long[] b) {
      int i = 0;
      int j = 0;
      double d = 0;
      while (i < a.length && j < b.length) {
        long v = Math.min(a[i], b[j]);
        while (i < a.length && a[i] == v) {
          i++;
        }
        while (j < b.length && b[j] == v) {
          j++;
        }
        d = Math.max(d, Math.abs((double) i / a.length - (double) j / b.length));
      }
      // Past the end of one sample its function is 1, and the other's only rises towards 1: no larger gap there.
      return d;
    }

    /** Asymptotic p-value of D for samples of n and m, with the small-sample correction of λ. */
    static double ksPValue(double d, int n, int m) {
      double ne = (double) n * m / (n + m);
      double root = Math.sqrt(ne);
      return qks((root + 0.12 + 0.11 / root) * d);
    }

    /**
     * Q_KS(λ) = 2 Σ_{j≥1} (-1)^{j-1} exp(-2 j² λ²), the probability that the Kolmogorov statistic exceeds λ. For
     * small λ that alternating series converges slowly, so there it is 1 - K(λ) with Jacobi's form
     * K(λ) = √(2π)/λ Σ_{j≥1} exp(-(2j-1)² π² / (8 λ²)), which converges fast exactly where the other does not.
     */
    static double qks(double lambda) {
      if (lambda <= 0) {
        return 1;
      }
      return clamp(lambda < 1.18 ? 1 - jacobiK(lambda) : alternatingQ(lambda));
    }

    /** 2 Σ_{j≥1} (-1)^{j-1} exp(-2 j² λ²): a few terms for λ ≥ 1.18 (the fourth is below 1e-31). */
    static double alternatingQ(double lambda) {
      double a = -2 * lambda * lambda;
      double sum = 0;
      double sign = 1;
      for (int j = 1; j <= 100; j++) {
        double term = Math.exp(a * j * j);
        sum += sign * term;
        if (term <= 1e-17 * Math.abs(sum)) {
          break;
        }
        sign = -sign;
      }
      return 2 * sum;
    }

    /** K(λ) = √(2π)/λ Σ_{j≥1} exp(-(2j-1)² π² / (8 λ²)): a few terms for λ < 1.18. */
    static double jacobiK(double lambda) {
      double a = -Math.PI * Math.PI / (8 * lambda * lambda);
      double sum = 0;
      for (int j = 1; j <= 100; j++) {
        double term = Math.exp(a * (2 * j - 1) * (2 * j - 1));
        sum += term;
        if (term <= 1e-17 * sum) {
          break;
        }
      }
      return Math.sqrt(2 * Math.PI) / lambda * sum;
    }

    private static double clamp(double p) {
      return Math.max(0, Math.min(1, p));
    }

    /** The values of even and of odd rounds, each sorted. */
    static long[][] evenOdd(long[] byRound) {
      long[] even = new long[(byRound.length + 1) / 2];
      long[] odd = new long[byRound.length / 2];
      for (int r = 0; r < byRound.length; r++) {
        if (r % 2 == 0) {
          even[r / 2] = byRound[r];
        } else {
          odd[r / 2] = byRound[r];
        }
      }
      Arrays.sort(even);
      Arrays.sort(odd);
      return new long[][] {even, odd};
    }
  }

  /**
   * {@code --self-check}: the statistics against cases worked out by hand and against reference values of the
   * Kolmogorov distribution (scipy.special.kolmogorov, scipy.stats.ks_2samp 1.17.1, computed once and written here).
   */
  static final class SelfCheck {
    private static int failures;

    private SelfCheck() {}

    static boolean run() {
      long[] hundred = range(1, 100);
      check("identical samples: D", Stats.ksStatistic(hundred, hundred), 0, 0);
      check("identical samples: p", Stats.ksPValue(0, 100, 100), 1, 0);
      check("all values tied on both sides: D", Stats.ksStatistic(new long[] {5, 5, 5, 5}, new long[] {5, 5, 5}), 0,
          0);
      check("ties across the samples: D", Stats.ksStatistic(new long[] {1, 2, 2, 3}, new long[] {2, 2, 2, 2}), 0.25,
          1e-12);
      check("disjoint samples: D", Stats.ksStatistic(hundred, range(101, 200)), 1, 0);
      double disjoint = Stats.ksPValue(1, 100, 100);
      checkRelative("disjoint samples: p", disjoint, 1.5505547466854487e-45, 1e-9);
      check("interleaved halves: D", Stats.ksStatistic(new long[] {1, 3, 5, 7}, new long[] {2, 4, 6, 8}), 0.25, 1e-12);
      check("overlapping by half: D", Stats.ksStatistic(range(1, 10), range(6, 15)), 0.5, 1e-12);
      check("unequal sizes, order does not matter: D", Stats.ksStatistic(range(6, 15), range(1, 10)), 0.5, 1e-12);
      long[] x = new long[300];
      for (int i = 0; i < x.length; i++) {
        x[i] = i * 7919L % 1000;
      }
      long[] y = new long[400];
      for (int j = 0; j < y.length; j++) {
        y[j] = j * 104729L % 1000 + 30;
      }
      check("pseudo-random samples: D as scipy's ks_2samp", ks(x, y), 0.03666666666666667, 1e-12);
      long[] u = new long[50];
      for (int i = 0; i < u.length; i++) {
        u[i] = i * 37L % 101;
      }
      long[] w = new long[80];
      for (int j = 0; j < w.length; j++) {
        w[j] = j * 53L % 97 / 2 * 2;
      }
      check("samples with many ties: D as scipy's ks_2samp", ks(u, w), 0.075, 1e-12);
      double[][] kolmogorov = {
          {0.2, 0.999999999999495}, {0.5, 0.9639452436648751}, {1.0, 0.26999967167735456},
          {1.18, 0.1234538094297657}, {1.3581, 0.0499996304316674}, {1.6276, 0.010001537333060776},
          {2.0, 0.0006709252557796953}, {3.0, 3.045995948942526e-08}};
      for (double[] k : kolmogorov) {
        checkRelative("Q_KS(" + k[0] + ") as scipy.special.kolmogorov", Stats.qks(k[0]), k[1], 1e-9);
      }
      for (double lambda : new double[] {0.9, 1.18, 1.5}) {
        checkRelative("both series agree at λ = " + lambda, 1 - Stats.jacobiK(lambda), Stats.alternatingQ(lambda),
            1e-12);
      }
      check("p of D = 0.05, n = m = 2000 (λ = 1.58731)", Stats.ksPValue(0.05, 2000, 2000), 0.012958845703741699,
          1e-12);
      check("p of D = 0.1, n = 300, m = 400 (λ = 1.32215)", Stats.ksPValue(0.1, 300, 400), 0.06062617214065506, 1e-12);
      check("median of an odd count", Stats.median(new long[] {1, 2, 9}), 2, 0);
      check("median of an even count", Stats.median(new long[] {1, 2, 3, 10}), 2.5, 0);
      check("p90 nearest rank of 1..100", Stats.quantile(hundred, 0.90), 90, 0);
      check("p99 nearest rank of 1..100", Stats.quantile(hundred, 0.99), 99, 0);
      check("p99 nearest rank of 1..10", Stats.quantile(range(1, 10), 0.99), 10, 0);
      long[][] halves = Stats.evenOdd(new long[] {9, 1, 8, 2, 7});
      check("even rounds", Arrays.equals(halves[0], new long[] {7, 8, 9}) ? 1 : 0, 1, 0);
      check("odd rounds", Arrays.equals(halves[1], new long[] {1, 2}) ? 1 : 0, 1, 0);
      System.out.println(failures == 0 ? "self-check: all passed" : "self-check: " + failures + " FAILED");
      return failures == 0;
    }

    private static double ks(long[] a, long[] b) {
      long[] x = a.clone();
      long[] y = b.clone();
      Arrays.sort(x);
      Arrays.sort(y);
      return Stats.ksStatistic(x, y);
    }

    private static long[] range(long from, long to) {
      long[] r = new long[(int) (to - from + 1)];
      for (int i = 0; i < r.length; i++) {
        r[i] = from + i;
      }
      return r;
    }

    private static void checkRelative(String what, double actual, double expected, double tolerance) {
      check(what, actual, expected, tolerance * Math.abs(expected));
    }

    private static void check(String what, double actual, double expected, double tolerance) {
      boolean ok = Math.abs(actual - expected) <= tolerance;
      if (!ok) {
        failures++;
      }
      System.out.printf(Locale.ROOT, "%s %s: %s (expected %s)%n", ok ? "ok  " : "FAIL", what, actual, expected);
    }
  }
}
