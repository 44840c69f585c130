package dev.jeton.radiuscodec;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile datagrams: whatever arrives, the codec answers with a packet, a {@link
 * MalformedPacketException} or {@code false}, never another exception, in bounded time.
 */
class FuzzTest {

  private static final int ROUNDS = 200_000;
  private static final byte[] SECRET = RfcExamplesTest.SECRET;

  private static List<byte[]> seeds() throws MalformedPacketException {
    byte[] request =
        RadiusRequest.encode(
            RadiusCodes.ACCESS_REQUEST,
            3,
            null,
            List.of(
                Attribute.of(Attributes.USER_NAME, "nemo"),
                Attribute.of(Attributes.USER_PASSWORD, "a fairly long password of 40 bytes......"),
                new Attribute(Attributes.PROXY_STATE, new byte[] {1, 2}),
                new Attribute(Attributes.STATE, new byte[40])),
            SECRET,
            true);
    RadiusPacket parsed = RadiusPacket.parse(request, request.length);
    byte[] answer =
        RadiusResponse.encode(
            RadiusCodes.ACCESS_CHALLENGE,
            parsed,
            List.of(Attribute.of(Attributes.REPLY_MESSAGE, "x".repeat(600))),
            SECRET);
    return List.of(
        RfcExamplesTest.RFC2865_REQUEST,
        RfcExamplesTest.RFC5997_STATUS_SERVER,
        RfcExamplesTest.RFC2865_ACCEPT,
        request,
        answer);
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void mutatedAndRandomDatagramsOnlyEverFailAsMalformed() throws MalformedPacketException {
    Random random = new Random(0x5EED_2865L);
    List<byte[]> seeds = seeds();
    byte[] ra = new byte[16];
    int parsed = 0;
    int malformed = 0;
    for (int round = 0; round < ROUNDS; round++) {
      byte[] buf = mutate(random, seeds.get(random.nextInt(seeds.size())), round);
      int length = random.nextInt(8) == 0 ? random.nextInt(buf.length + 1) : buf.length;
      try {
        RadiusPacket p = RadiusPacket.parse(buf, length);
        parsed++;
        byte[] hidden = p.first(Attributes.USER_PASSWORD);
        if (hidden != null) {
          try {
            Arrays.fill(UserPassword.unhide(hidden, SECRET, p.authenticator()), (byte) 0);
          } catch (MalformedPacketException e) {
            assertThat(e.reason()).isEqualTo(MalformedPacketException.PASSWORD_LENGTH);
          }
        }
        p.firstString(Attributes.USER_NAME);
        p.all(Attributes.PROXY_STATE);
      } catch (MalformedPacketException e) {
        malformed++;
        assertThat(e.reason()).isNotBlank();
      }
      MessageAuthenticator.verify(buf, length, SECRET);
      random.nextBytes(ra);
      RadiusResponse.verify(buf, length, ra, SECRET);
    }
    // The mutations must reach both sides, or the test proves nothing.
    assertThat(parsed).isGreaterThan(ROUNDS / 20);
    assertThat(malformed).isGreaterThan(ROUNDS / 20);
  }

  @Test
  void aHiddenPasswordOfAnyLengthUnhidesOrFailsAsMalformed() {
    Random random = new Random(5);
    byte[] ra = new byte[16];
    for (int n = 0; n <= 300; n++) {
      byte[] hidden = new byte[n];
      random.nextBytes(hidden);
      try {
        assertThat(UserPassword.unhide(hidden, "k".getBytes(US_ASCII), ra).length)
            .isLessThanOrEqualTo(n);
      } catch (MalformedPacketException e) {
        assertThat(e.reason()).isEqualTo(MalformedPacketException.PASSWORD_LENGTH);
      }
    }
  }

  private static byte[] mutate(Random random, byte[] seed, int round) {
    switch (round % 7) {
      case 0: // pure random buffer, sometimes above 4096 bytes
        {
          byte[] b = new byte[random.nextInt(4200)];
          random.nextBytes(b);
          return b;
        }
      case 1: // flip a few bytes
        {
          byte[] b = seed.clone();
          for (int i = 1 + random.nextInt(4); i > 0; i--) {
            b[random.nextInt(b.length)] ^= (byte) (1 + random.nextInt(255));
          }
          return b;
        }
      case 2: // truncate
        return Arrays.copyOf(seed, random.nextInt(seed.length + 1));
      case 3: // extend with random bytes, sometimes fixing the Length field to cover them
        {
          byte[] b = Arrays.copyOf(seed, seed.length + random.nextInt(4200));
          for (int i = seed.length; i < b.length; i++) {
            b[i] = (byte) random.nextInt(256);
          }
          if (random.nextBoolean() && b.length >= 4) {
            b[2] = (byte) (b.length >>> 8);
            b[3] = (byte) b.length;
          }
          return b;
        }
      case 4: // random Length field
        {
          byte[] b = seed.clone();
          int len = random.nextBoolean() ? random.nextInt(65536) : random.nextInt(seed.length + 8);
          b[2] = (byte) (len >>> 8);
          b[3] = (byte) len;
          return b;
        }
      case 5: // random attribute length byte at a random attribute header
        {
          byte[] b = seed.clone();
          int pos = 20;
          int pick = random.nextInt(6);
          while (pick-- > 0 && pos + 1 < b.length && (b[pos + 1] & 0xff) >= 2) {
            pos += b[pos + 1] & 0xff;
          }
          if (pos + 1 < b.length) {
            b[pos + 1] = (byte) random.nextInt(256);
          }
          return b;
        }
      default: // random header on random body with a consistent Length
        {
          byte[] b = new byte[20 + random.nextInt(300)];
          random.nextBytes(b);
          b[2] = (byte) (b.length >>> 8);
          b[3] = (byte) b.length;
          return b;
        }
    }
  }
}
