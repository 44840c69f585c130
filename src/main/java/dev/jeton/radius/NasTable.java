package dev.jeton.radius;

import dev.jeton.crypto.Sealer;
import dev.jeton.track.RadiusClientRecord;
import dev.jeton.web.Cidr;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The RADIUS clients (NAS) this node answers, found by the address a datagram came from: the client
 * whose network holds it with the longest prefix (then the first by name), as a router picks a
 * route. Shared secrets are opened from the store's sealed copies ({@code Keys.radiusSecrets}) once
 * per load and held only here. Replaced whole on every change; read and replaced on the intake's
 * event loop only.
 */
final class NasTable {

  /** A client as the intake uses it. */
  record Nas(
      String name,
      Cidr network,
      boolean requireMessageAuthenticator,
      boolean trustCallingStationId,
      byte[] secret) {

    /** Never prints the secret. */
    @Override
    public String toString() {
      return "Nas[" + name + "]";
    }
  }

  private final Sealer secrets;
  private List<Nas> byPrefix = List.of();
  private int unreadable;

  NasTable(Sealer secrets) {
    this.secrets = secrets;
  }

  /**
   * Replaces every client. A client whose network or secret cannot be read (written under another
   * master key, say) is left out and counted in {@link #unreadable}: it is answered by no one.
   */
  void replace(List<RadiusClientRecord> records) {
    for (Nas old : byPrefix) {
      Arrays.fill(old.secret(), (byte) 0);
    }
    List<Nas> all = new ArrayList<>();
    int bad = 0;
    for (RadiusClientRecord r : records) {
      Nas n = open(r);
      if (n == null) {
        bad++;
      } else {
        all.add(n);
      }
    }
    all.sort(
        Comparator.comparingInt((Nas n) -> n.network().prefixLength())
            .reversed()
            .thenComparing(Nas::name));
    byPrefix = List.copyOf(all);
    unreadable = bad;
  }

  /** The client for this source address (4 or 16 bytes), or null. */
  Nas find(byte[] address) {
    if (address == null) {
      return null;
    }
    for (Nas n : byPrefix) {
      if (n.network().contains(address)) {
        return n;
      }
    }
    return null;
  }

  int size() {
    return byPrefix.size();
  }

  int unreadable() {
    return unreadable;
  }

  private Nas open(RadiusClientRecord r) {
    Cidr network;
    try {
      network = Cidr.parse(r.network());
    } catch (IllegalArgumentException e) {
      return null;
    }
    String secret = secrets.open(r.sealedSecret(), r.name());
    if (secret == null || secret.isEmpty()) {
      return null;
    }
    return new Nas(
        r.name(),
        network,
        r.requireMessageAuthenticator(),
        r.trustCallingStationId(),
        secret.getBytes(StandardCharsets.UTF_8));
  }
}
