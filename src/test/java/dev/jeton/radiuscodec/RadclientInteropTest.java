package dev.jeton.radiuscodec;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.testsupport.ExternalTools;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * FreeRADIUS's {@code radclient} (Debian freeradius-utils) against the codec on a plain UDP socket:
 * its Access-Request parses, its Message-Authenticator verifies and its password unhides, and it
 * accepts our answer, but not one signed with another secret. Skipped when radclient is absent.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RadclientInteropTest {

  private static final String SECRET = "xyzzy5461";
  private static final String REQUEST =
      "User-Name = \"nemo\", User-Password = \"arctangent\", Message-Authenticator = 0x00\n";

  @TempDir Path tmp;
  private DatagramSocket socket;
  private ExecutorService server;

  /** What the server thread saw of the request. */
  private record Seen(RadiusPacket request, boolean messageAuthenticatorValid, String password) {}

  @BeforeEach
  void open() throws IOException {
    ExternalTools.require(
        onPath("radclient"), "radclient is not installed (apt-get install freeradius-utils)");
    socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    socket.setSoTimeout(10_000);
    server = Executors.newSingleThreadExecutor();
  }

  @AfterEach
  void close() {
    if (server != null) {
      server.shutdownNow();
    }
    if (socket != null) {
      socket.close();
    }
  }

  @Test
  void radclientAcceptsOurAccessAccept() throws Exception {
    Future<Seen> seen = server.submit(() -> answerOnce(SECRET.getBytes(US_ASCII), false));
    Result r = radclient();
    Seen s = seen.get(15, TimeUnit.SECONDS);

    assertThat(s.request().code()).isEqualTo(RadiusCodes.ACCESS_REQUEST);
    assertThat(s.request().firstString(Attributes.USER_NAME)).isEqualTo("nemo");
    assertThat(s.messageAuthenticatorValid()).isTrue();
    assertThat(s.password()).isEqualTo("arctangent");
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).contains("Access-Accept").contains("ok");
  }

  @Test
  void radclientRefusesAnAnswerSignedWithAnotherSecret() throws Exception {
    Future<Seen> seen = server.submit(() -> answerOnce("not-the-secret".getBytes(US_ASCII), false));
    Result r = radclient();
    seen.get(15, TimeUnit.SECONDS);

    assertThat(r.exit()).as(r.output()).isNotZero();
    assertThat(r.output())
        .doesNotContain("Received Access-Accept Id")
        .containsAnyOf("invalid", "No reply");
  }

  @Test
  void radclientRefusesAnAnswerWithABrokenResponseAuthenticator() throws Exception {
    // The Message-Authenticator still verifies: only the RFC 2865 §3 Response Authenticator is off.
    Future<Seen> seen = server.submit(() -> answerOnce(SECRET.getBytes(US_ASCII), true));
    Result r = radclient();
    seen.get(15, TimeUnit.SECONDS);

    assertThat(r.exit()).as(r.output()).isNotZero();
    assertThat(r.output())
        .doesNotContain("Received Access-Accept Id")
        .containsAnyOf("invalid", "No reply");
  }

  private Seen answerOnce(byte[] answerSecret, boolean breakResponseAuthenticator)
      throws Exception {
    byte[] buf = new byte[RadiusPacket.MAX_LENGTH + 1];
    DatagramPacket in = new DatagramPacket(buf, buf.length);
    socket.receive(in);
    byte[] secret = SECRET.getBytes(US_ASCII);
    boolean maValid = MessageAuthenticator.verify(buf, in.getLength(), secret);
    RadiusPacket request = RadiusPacket.parse(buf, in.getLength());
    byte[] clear =
        UserPassword.unhide(
            request.first(Attributes.USER_PASSWORD), secret, request.authenticator());
    String password = new String(clear, UTF_8);
    Arrays.fill(clear, (byte) 0);
    byte[] answer =
        RadiusResponse.encode(
            RadiusCodes.ACCESS_ACCEPT,
            request,
            List.of(Attribute.of(Attributes.REPLY_MESSAGE, "ok")),
            answerSecret);
    if (breakResponseAuthenticator) {
      answer[4] ^= 1;
    }
    socket.send(new DatagramPacket(answer, answer.length, in.getSocketAddress()));
    return new Seen(request, maValid, password);
  }

  private record Result(int exit, String output) {}

  private Result radclient() throws Exception {
    File out = tmp.resolve("radclient.out").toFile();
    Process p =
        new ProcessBuilder(
                "radclient",
                "-x",
                "-r",
                "1",
                "-t",
                "3",
                "127.0.0.1:" + socket.getLocalPort(),
                "auth",
                SECRET)
            .redirectErrorStream(true)
            .redirectOutput(out)
            .start();
    try (OutputStream stdin = p.getOutputStream()) {
      stdin.write(REQUEST.getBytes(US_ASCII));
    }
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("radclient did not finish within 20 s");
    }
    return new Result(p.exitValue(), Files.readString(out.toPath()));
  }

  private static boolean onPath(String command) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }
}
