package dev.jeton.testsupport;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What {@link RedisSentinelTopology} and {@link RedisClusterTopology} have in common: several
 * {@link RedisNode}s on free loopback ports, data nodes protected by a random password, a temp dir
 * deleted on {@link #close()}, logs under {@code target/redis-topologies/<name>/}, fault injection
 * by signal, bounded waits whose failure message carries the tail of every node's log, and a
 * shutdown hook so that no process outlives the JVM.
 */
public abstract class RedisTopology implements AutoCloseable {

  /** How long a topology may take to become ready (generous: CI machines are slow). */
  public static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

  static final long NODE_START_TIMEOUT_MS = 10_000;
  static final long NODE_RESTART_TIMEOUT_MS = 15_000;
  private static final int TAIL_LINES_PER_NODE = 15;
  private static final AtomicInteger COUNTER = new AtomicInteger();

  final String name;
  final Path executable;
  final Path logDir;
  final Path dataDir;
  final String password;
  final List<RedisNode> nodes = new ArrayList<>();
  private final Thread shutdownHook;
  private boolean closed;

  RedisTopology(String kind) {
    this.name = kind + "-" + COUNTER.incrementAndGet();
    RedisNode.requireInstalledRedis("the Redis topology " + name);
    this.executable = RedisNode.findExecutable("redis-server");
    Path dir = RedisNode.logDir("redis-topologies").resolve(name);
    RedisNode.deleteRecursively(dir); // logs of an earlier run of the same name
    this.logDir = RedisNode.logDir("redis-topologies/" + name);
    this.dataDir = RedisNode.createTempDir("jeton-" + name + "-");
    byte[] secret = new byte[16];
    new SecureRandom().nextBytes(secret);
    this.password = HexFormat.of().formatHex(secret);
    this.shutdownHook = new Thread(this::close, "redis-topology-shutdown-" + name);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  // ---------------------------------------------------------------- accessors

  /** The {@code requirepass} (and {@code masterauth}) of every data node. */
  public String password() {
    return password;
  }

  /** {@code target/redis-topologies/<name>/}: one log per node, appended across restarts. */
  public Path logDir() {
    return logDir;
  }

  /** Every redis-server holding data (masters and replicas), in the order they were started. */
  public abstract List<RedisNode> dataNodes();

  // ---------------------------------------------------------------- fault injection

  /** SIGKILL: the node vanishes at once, as in a crash. Returns when the process is gone. */
  public void kill(RedisNode node) {
    beforeFault(own(node));
    node.kill();
  }

  /** SIGSTOP: the node keeps its sockets but answers nothing, as in a long GC or VM pause. */
  public void stop(RedisNode node) {
    beforeFault(own(node));
    node.pause();
  }

  /** SIGCONT after {@link #stop(RedisNode)}. */
  public void cont(RedisNode node) {
    own(node).resume();
  }

  /**
   * Stops the node if it runs (SIGCONT first if stopped, then SIGTERM) and starts it again on the
   * same port with the same config (which Redis may have rewritten); returns once it answers PING.
   */
  public void restart(RedisNode node) {
    own(node).restart(NODE_RESTART_TIMEOUT_MS);
  }

  /** Stops every process (SIGCONT first if stopped, SIGTERM, then SIGKILL) and deletes the data. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    try {
      List<RedisNode> order;
      synchronized (this) {
        order = closeOrder();
      }
      RedisNode.terminateAll(order);
    } finally {
      RedisNode.deleteRecursively(dataDir);
      if (Thread.currentThread() != shutdownHook) {
        try {
          Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
          // the hook runs anyway, and finds the topology closed
        }
      }
    }
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + name + ", " + nodes + "]";
  }

  // ---------------------------------------------------------------- for the subclasses

  /** A probe before a node is killed or stopped (the cluster notes the slots it serves). */
  void beforeFault(RedisNode node) {}

  /** The order in which {@link #close()} signals the processes. */
  List<RedisNode> closeOrder() {
    return List.copyOf(nodes);
  }

  /** The nodes that can answer: alive and not stopped by SIGSTOP. */
  List<RedisNode> liveNodes(List<RedisNode> among) {
    List<RedisNode> live = new ArrayList<>();
    for (RedisNode node : among) {
      if (node.isRunning() && !node.isPaused()) {
        live.add(node);
      }
    }
    return live;
  }

  RedisNode nodeAt(int port) {
    for (RedisNode node : nodes) {
      if (node.port() == port) {
        return node;
      }
    }
    throw new IllegalStateException(name + " has no node on port " + port + ": " + nodes);
  }

  private RedisNode own(RedisNode node) {
    if (!nodes.contains(node)) {
      throw new IllegalArgumentException(node + " is not a node of " + this);
    }
    return node;
  }

  /** Starts the node, registering it before it is up so that {@link #close()} always stops it. */
  RedisNode startNode(java.util.function.IntFunction<RedisNode> factory) {
    return RedisNode.startOnFreePort(
        port -> {
          RedisNode node = factory.apply(port);
          synchronized (this) {
            if (closed) {
              throw new IllegalStateException(name + " is closed");
            }
            nodes.removeIf(n -> n.name().equals(node.name()));
            nodes.add(node);
          }
          return node;
        },
        NODE_START_TIMEOUT_MS);
  }

  /**
   * Polls {@code probe} every 50 ms until it returns a value that is not null, for at most {@code
   * timeout}. A probe says why it is not done by throwing; the last reason and the tail of every
   * node's log are in the exception thrown at the deadline.
   */
  <T> T await(String what, Duration timeout, Callable<T> probe) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (true) {
      try {
        T value = probe.call();
        if (value != null) {
          return value;
        }
      } catch (Exception e) {
        last = e;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException(
            name
                + ": not within "
                + timeout.toMillis()
                + " ms: "
                + what
                + (last == null ? "" : " (last: " + last.getMessage() + ")")
                + "\n"
                + logTails(),
            last);
      }
      RedisNode.sleep(50);
    }
  }

  /** The last lines of each node's log, for failure messages. */
  String logTails() {
    StringBuilder text = new StringBuilder("Logs under ").append(logDir).append(":");
    List<RedisNode> snapshot;
    synchronized (this) {
      snapshot = List.copyOf(nodes);
    }
    for (RedisNode node : snapshot) {
      text.append("\n==== ")
          .append(node)
          .append(node.isRunning() ? (node.isPaused() ? " (SIGSTOPped)" : "") : " (not running)")
          .append(" — ")
          .append(node.logFile().getFileName())
          .append('\n')
          .append(RedisNode.tail(node.logFile(), TAIL_LINES_PER_NODE));
    }
    return text.toString();
  }

  /** A failed readiness or failover check, with what was seen. */
  static IOException notYet(String reason) {
    return new IOException(reason);
  }
}
