package dev.jeton.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15, hole 8: the demo user (embedded store, the default start) is for the person at the
 * machine. Started without {@code JETON_HTTP_HOST}, the public listener binds loopback only and the
 * start says so.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class DemoBindingIT {

  /** What the start log must say about the loopback-only bind (case-insensitive pattern). */
  static final Pattern LOOPBACK_NOTICE =
      Pattern.compile("(?i)loopback|127\\.0\\.0\\.1 only|localhost only");

  private Target target;

  @BeforeAll
  void start() {
    target = Target.embeddedWithoutHost("demo", Map.of());
  }

  @AfterAll
  void stop() {
    if (target != null) {
      target.close();
    }
  }

  @Test
  void theDemoIsServedOnLoopback() {
    Http.Res demo = target.http.get(target.pub("/portal/demo-key/code"), Map.of());
    assertThat(demo.status()).as("the demo is on: %s", demo).isEqualTo(200);
  }

  @Test
  void withTheDemoOnAndNoHostSetThePublicListenerIsNotReachableFromAnotherAddress() {
    List<InetAddress> others = nonLoopbackAddresses();
    assumeThat(others).as("a non-loopback IPv4 address on this machine").isNotEmpty();
    List<String> reachable = new ArrayList<>();
    for (InetAddress a : others) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(a, target.httpPort()), 2_000);
        reachable.add(a.getHostAddress());
      } catch (IOException expected) {
        // refused: the listener is not bound there
      }
    }
    assertThat(reachable)
        .as("addresses other than loopback where the public listener (demo on) answers")
        .isEmpty();
  }

  @Test
  void theStartLogSaysThePublicListenerIsOnLoopbackOnly() {
    String started =
        target
            .output()
            .lines()
            .filter(l -> l.contains("\"message\":\"started\""))
            .findFirst()
            .orElseThrow();
    Matcher m = Pattern.compile("\"public\":\"([^\"]+)\"").matcher(started);
    assertThat(m.find()).as(started).isTrue();
    assertThat(m.group(1)).as("the public listener in the start line").contains("127.0.0.1");
    assertThat(LOOPBACK_NOTICE.matcher(target.output()).find())
        .as("the start output explains the loopback bind (and JETON_HTTP_HOST): %s", target.tail())
        .isTrue();
    assertThat(target.output()).contains("JETON_HTTP_HOST");
  }

  private static List<InetAddress> nonLoopbackAddresses() {
    List<InetAddress> found = new ArrayList<>();
    try {
      for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!ni.isUp() || ni.isLoopback()) {
          continue;
        }
        for (InetAddress a : Collections.list(ni.getInetAddresses())) {
          if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
            found.add(a);
          }
        }
      }
    } catch (SocketException e) {
      return List.of();
    }
    return found;
  }
}
