package dev.jeton.testsupport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports for servers a test starts as processes (Redis nodes, sentinels, a jar).
 *
 * <p>Not port 0's choice: the kernel takes those from the ephemeral range (32768–60999 on Linux),
 * the same range it gives the outgoing connections of everything running, so between the choice and
 * the server's bind a replica's connection to its master can take the port ("Address already in
 * use", seen in DeployTest). Below that range nothing is handed out by the kernel; a random pick,
 * checked free, only meets another test's pick by chance, and is then tried again.
 */
public final class Ports {

  private static final int FROM = 20_000;
  private static final int TO = 32_000;

  private Ports() {}

  /** A port of 127.0.0.1 nothing listens on now, outside the ephemeral range. */
  public static int free() {
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(FROM, TO);
      try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
        return s.getLocalPort();
      } catch (IOException taken) {
        // Another one.
      }
    }
    throw new IllegalStateException("no free loopback port in " + FROM + ".." + TO);
  }
}
