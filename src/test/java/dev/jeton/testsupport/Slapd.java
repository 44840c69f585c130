package dev.jeton.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real OpenLDAP {@code slapd} (Debian's {@code /usr/sbin/slapd}) on a free loopback port, with a
 * throwaway {@code slapd.conf} and an mdb database in a temp directory, loaded with the district's
 * people ({@link #PEOPLE}: {@code alice}, {@code bob}, {@code o(brien*)}, …) and a service account
 * ({@link #SERVICE_DN}). Passwords are in clear: slapd compares them as they are, which is enough
 * for tests.
 *
 * <p>Besides the usual schemas, a tiny one defines {@code sAMAccountName} and an AUXILIARY class
 * {@code jetonAdUser} allowing it, so that an Active Directory-style filter can be tried.
 *
 * <p>slapd runs in the foreground with the {@code stats} log level ({@code -d 256}); its log goes
 * to {@code target/slapd/*.log}, where {@link #binds(String)} counts the binds made as a DN. Every
 * wait is bounded; {@link #stop()} and {@link #restart()} keep the port and the data, so a test can
 * take the directory away and give it back.
 */
public final class Slapd implements AutoCloseable {

  public static final String SLAPD = "/usr/sbin/slapd";
  public static final String LDAPMODIFY = "/usr/bin/ldapmodify";
  public static final String BASE = "dc=district,dc=example";
  public static final String PEOPLE = "ou=people," + BASE;
  public static final String MOVED = "ou=moved," + BASE;
  public static final String ROOT_DN = "cn=admin," + BASE;
  public static final String ROOT_PASSWORD = "root-secret";
  public static final String SERVICE_DN = "cn=jeton,ou=services," + BASE;
  public static final String SERVICE_PASSWORD = "service-secret";

  private static final long START_TIMEOUT_MS = 10_000;
  private static final long STOP_TIMEOUT_MS = 10_000;
  private static final long TOOL_TIMEOUT_MS = 10_000;
  private static final AtomicInteger LAUNCHES = new AtomicInteger();

  private static final String AD_SCHEMA =
      """
      attributetype ( 1.2.840.113556.1.4.221 NAME 'sAMAccountName'
        EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
        SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
      objectclass ( 1.3.6.1.4.1.99999.1.1 NAME 'jetonAdUser' AUXILIARY
        MAY ( sAMAccountName ) )
      """;

  private static final String DATA =
      """
      dn: dc=district,dc=example
      objectClass: dcObject
      objectClass: organization
      dc: district
      o: District

      dn: ou=people,dc=district,dc=example
      objectClass: organizationalUnit
      ou: people

      dn: ou=moved,dc=district,dc=example
      objectClass: organizationalUnit
      ou: moved

      dn: ou=services,dc=district,dc=example
      objectClass: organizationalUnit
      ou: services

      dn: cn=jeton,ou=services,dc=district,dc=example
      objectClass: organizationalRole
      objectClass: simpleSecurityObject
      cn: jeton
      userPassword: service-secret

      dn: uid=alice,ou=people,dc=district,dc=example
      objectClass: inetOrgPerson
      objectClass: jetonAdUser
      uid: alice
      cn: Alice Martin
      sn: Martin
      userPassword: alice-pw
      sAMAccountName: amartin

      dn: uid=bob,ou=people,dc=district,dc=example
      objectClass: inetOrgPerson
      objectClass: jetonAdUser
      uid: bob
      cn: Bob Durand
      sn: Durand
      userPassword: bob-pw
      sAMAccountName: bdurand

      dn: uid=alberto,ou=people,dc=district,dc=example
      objectClass: inetOrgPerson
      uid: alberto
      cn: Alberto Rossi
      sn: Rossi
      userPassword: alberto-pw

      dn: uid=o(brien*),ou=people,dc=district,dc=example
      objectClass: inetOrgPerson
      uid: o(brien*)
      cn: Pat O'Brien
      sn: O'Brien
      userPassword: obrien-pw
      """;

  private final Path dir;
  private final int port;
  private final Path log;
  private final Path tlsCert;
  private final Path tlsKey;
  private final int tlsPort;
  private Process process;

  private Slapd(Path dir, int port, Path log, Path tlsCert, Path tlsKey) {
    this.dir = dir;
    this.port = port;
    this.log = log;
    this.tlsCert = tlsCert;
    this.tlsKey = tlsKey;
    this.tlsPort = tlsCert == null ? -1 : Ports.free();
  }

  /** True when slapd and the ldap-utils are installed (tests assume it, CI installs them). */
  public static boolean available() {
    return Files.isExecutable(Path.of(SLAPD)) && Files.isExecutable(Path.of(LDAPMODIFY));
  }

  /** Starts a new slapd on a free loopback port, loaded with the district's people. */
  public static Slapd start() {
    return start(null, null);
  }

  /**
   * Starts a new slapd that also speaks TLS with this PEM certificate and key: StartTLS on {@link
   * #url()}, and LDAPS on {@link #ldapsUrl()}.
   */
  public static Slapd startWithTls(Path cert, Path key) {
    return start(cert, key);
  }

  private static Slapd start(Path tlsCert, Path tlsKey) {
    Path dir = RedisNode.createTempDir("jeton-slapd-");
    int port = Ports.free();
    Path log =
        RedisNode.logDir("slapd")
            .resolve("slapd-" + port + "-" + LAUNCHES.incrementAndGet() + ".log");
    Slapd slapd = new Slapd(dir, port, log, tlsCert, tlsKey);
    try {
      Files.createDirectories(dir.resolve("db"));
      Files.writeString(dir.resolve("ad.schema"), AD_SCHEMA);
      Files.writeString(dir.resolve("slapd.conf"), slapd.conf());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    slapd.launch();
    slapd.modify(DATA, true);
    return slapd;
  }

  private String conf() {
    return String.join(
        "\n",
        "include /etc/ldap/schema/core.schema",
        "include /etc/ldap/schema/cosine.schema",
        "include /etc/ldap/schema/inetorgperson.schema",
        "include /etc/ldap/schema/nis.schema",
        "include " + dir.resolve("ad.schema"),
        "pidfile " + dir.resolve("slapd.pid"),
        tlsCert == null ? "" : "TLSCertificateFile " + tlsCert,
        tlsKey == null ? "" : "TLSCertificateKeyFile " + tlsKey,
        "modulepath /usr/lib/ldap",
        "moduleload back_mdb",
        "database mdb",
        "suffix \"" + BASE + "\"",
        "rootdn \"" + ROOT_DN + "\"",
        "rootpw " + ROOT_PASSWORD,
        "directory " + dir.resolve("db"),
        "maxsize 104857600",
        "");
  }

  private synchronized void launch() {
    ProcessBuilder pb =
        new ProcessBuilder(
            SLAPD,
            "-d",
            "256",
            "-h",
            tlsCert == null ? url() + "/" : url() + "/ " + ldapsUrl() + "/",
            "-f",
            dir.resolve("slapd.conf").toString());
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + SLAPD, e);
    }
    long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
    while (System.currentTimeMillis() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "slapd exited with " + process.exitValue() + ":\n" + RedisNode.tail(log));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        sleep(50);
      }
    }
    process.destroyForcibly();
    throw new IllegalStateException(
        "slapd did not listen on "
            + port
            + " within "
            + START_TIMEOUT_MS
            + " ms:\n"
            + RedisNode.tail(log));
  }

  /** {@code ldap://127.0.0.1:PORT}. */
  public String url() {
    return "ldap://127.0.0.1:" + port;
  }

  /** {@code ldaps://127.0.0.1:PORT} when started with TLS. */
  public String ldapsUrl() {
    if (tlsPort < 0) {
      throw new IllegalStateException("slapd was started without TLS");
    }
    return "ldaps://127.0.0.1:" + tlsPort;
  }

  public int port() {
    return port;
  }

  public synchronized boolean running() {
    return process != null && process.isAlive();
  }

  /** SIGTERM, then waits (bounded) until slapd has exited; the data stays. */
  public synchronized void stop() {
    if (process == null || !process.isAlive()) {
      return;
    }
    signal("-CONT"); // a paused slapd would not act on SIGTERM
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  /**
   * SIGSTOP: slapd keeps its port and its connections but answers nothing (a directory that hangs).
   */
  public synchronized void pause() {
    signal("-STOP");
    // kill returns once the signal is sent; each of slapd's threads stops when the kernel next
    // schedules it. Until all have, a request may still be answered: wait for every thread.
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!allThreadsStopped()) {
      if (System.nanoTime() > end) {
        throw new IllegalStateException("slapd did not stop within 5 s of SIGSTOP");
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  /** Whether every thread of slapd is in state T (stopped), as /proc shows it. */
  private boolean allThreadsStopped() {
    java.nio.file.Path tasks = java.nio.file.Path.of("/proc", Long.toString(process.pid()), "task");
    try (java.util.stream.Stream<java.nio.file.Path> all = java.nio.file.Files.list(tasks)) {
      return all.allMatch(
          t -> {
            try {
              String stat = java.nio.file.Files.readString(t.resolve("stat"));
              // The state follows the command name, which is in parentheses.
              return stat.charAt(stat.lastIndexOf(')') + 2) == 'T';
            } catch (IOException e) {
              return true; // the thread is gone
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** SIGCONT after {@link #pause()}. */
  public synchronized void resume() {
    signal("-CONT");
  }

  private void signal(String signal) {
    if (process == null || !process.isAlive()) {
      throw new IllegalStateException("slapd is not running");
    }
    try {
      Process kill =
          new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
      if (!kill.waitFor(TOOL_TIMEOUT_MS, TimeUnit.MILLISECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill " + signal + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Stops slapd if it runs and starts it again, on the same port with the same data. */
  public synchronized void restart() {
    stop();
    launch();
  }

  /** Adds entries (LDIF, as the root DN). */
  public void add(String ldif) {
    modify(ldif, true);
  }

  /** Applies LDIF change records (as the root DN). */
  public void modify(String ldif) {
    modify(ldif, false);
  }

  /** Deletes one entry. */
  public void delete(String dn) {
    modify("dn: " + dn + "\nchangetype: delete\n", false);
  }

  /** Renames or moves one entry ({@code newSuperior} null to stay under the same parent). */
  public void modrdn(String dn, String newRdn, String newSuperior) {
    modify(
        "dn: "
            + dn
            + "\nchangetype: modrdn\nnewrdn: "
            + newRdn
            + "\ndeleteoldrdn: 1\n"
            + (newSuperior == null ? "" : "newsuperior: " + newSuperior + "\n"),
        false);
  }

  private void modify(String ldif, boolean add) {
    List<String> cmd = new ArrayList<>(List.of(LDAPMODIFY, "-x", "-H", url(), "-D", ROOT_DN));
    cmd.addAll(List.of("-w", ROOT_PASSWORD));
    if (add) {
      cmd.add("-a");
    }
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.redirectErrorStream(true);
    try {
      Process p = pb.start();
      p.getOutputStream().write(ldif.getBytes(StandardCharsets.UTF_8));
      p.getOutputStream().close();
      if (!p.waitFor(TOOL_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("ldapmodify did not finish in " + TOOL_TIMEOUT_MS + " ms");
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new IllegalStateException("ldapmodify exited with " + p.exitValue() + ": " + out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * How many binds slapd has logged as {@code dn} (any case), since it was first started: its
   * {@code BIND dn="…" method=128} lines (a successful bind logs a second line, with {@code
   * mech=}).
   */
  public long binds(String dn) {
    String needle = ("BIND dn=\"" + dn + "\"").toLowerCase(java.util.Locale.ROOT);
    try {
      return Files.readAllLines(log, StandardCharsets.ISO_8859_1).stream()
          .map(l -> l.toLowerCase(java.util.Locale.ROOT))
          .filter(l -> l.contains(needle) && l.contains(" method="))
          .count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** How many binds slapd has logged as any DN but the service account's. */
  public long bindsOtherThanService() {
    String service = ("BIND dn=\"" + SERVICE_DN + "\"").toLowerCase(java.util.Locale.ROOT);
    try {
      return Files.readAllLines(log, StandardCharsets.ISO_8859_1).stream()
          .map(l -> l.toLowerCase(java.util.Locale.ROOT))
          .filter(l -> l.contains(" bind dn=\"") && l.contains(" method=") && !l.contains(service))
          .filter(l -> !l.contains("bind dn=\"" + ROOT_DN.toLowerCase(java.util.Locale.ROOT)))
          .count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path log() {
    return log;
  }

  /** Stops slapd and deletes its data. */
  @Override
  public void close() {
    stop();
    RedisNode.deleteRecursively(dir);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
