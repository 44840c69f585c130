package dev.jeton.pskc;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.xml.XMLConstants;
import javax.xml.stream.Location;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Reads OTP keys from a Portable Symmetric Key Container (PSKC, RFC 6030) document.
 *
 * <p><b>Blocking:</b> {@link #parse} reads the whole stream and may run PBKDF2 (up to {@value
 * #MAX_ITERATION_COUNT} iterations); call it on a worker thread, never on an event loop.
 *
 * <p>The document is read with StAX, one element at a time, so memory grows with the number of keys
 * returned and not with the size of the XML. DTDs are refused outright (no entity expansion, no
 * external resources).
 *
 * <p>Supported:
 *
 * <ul>
 *   <li>{@code KeyContainer/KeyPackage/Key} with {@code Algorithm} HOTP ({@code
 *       urn:ietf:params:xml:ns:keyprov:pskc:hotp}) or TOTP ({@code ...:pskc:totp} and {@code
 *       ...:pskc#totp}); serial from {@code DeviceInfo/SerialNo}, else the key's {@code Id};
 *   <li>{@code AlgorithmParameters/ResponseFormat/@Length} (6 or 8, {@code DECIMAL}) and {@code
 *       Suite} ({@code HMAC-SHA1}, {@code HMAC-SHA256}, {@code HMAC-SHA512});
 *   <li>{@code Data/Secret}, {@code Counter}, {@code Time}, {@code TimeInterval}, {@code TimeDrift}
 *       as {@code PlainValue} or {@code EncryptedValue} + {@code ValueMAC};
 *   <li>encryption with a pre-shared key ({@code EncryptionKey/ds:KeyName}) or a PBKDF2 password
 *       ({@code EncryptionKey/xenc11:DerivedKey}), AES-128/192/256-CBC with the IV prefixed to the
 *       ciphertext;
 *   <li>{@code MACMethod} HMAC-SHA1/224/256/384/512 with an encrypted {@code MACKey}.
 * </ul>
 *
 * <p>An encrypted value is only ever decrypted after its {@code ValueMAC} (HMAC over IV ||
 * ciphertext with the MAC key) has been checked in constant time. An encrypted value with no MAC
 * key, no {@code ValueMAC} or a wrong one is skipped, never imported. Signatures ({@code
 * ds:Signature}) are not verified; key policies ({@code Policy}) are ignored.
 *
 * <p>Document-wide problems throw {@link PskcException}; a problem with one key adds a {@link
 * PskcSkip} and the other keys are still returned. A wrong pre-shared key or password is normally
 * detected when the {@code MACKey} does not decrypt (bad padding) and throws; in the rare case
 * where a wrong key still yields valid padding, every {@code ValueMAC} check fails and each
 * encrypted key is skipped with {@code "ValueMAC does not match"}. Nothing is returned for a
 * document that is not well-formed, even if its first keys were fine.
 *
 * <p>The caller should still bound the upload size: memory is bounded per element, not for the
 * whole result.
 */
public final class PskcParser {

  /** Most {@code Key} elements read from one document. */
  public static final int MAX_KEYS = 100_000;

  /** Most PBKDF2 iterations accepted (bounds CPU time). */
  public static final int MAX_ITERATION_COUNT = 10_000_000;

  static final String PSKC = "urn:ietf:params:xml:ns:keyprov:pskc";
  static final String DS = PskcCrypto.XMLDSIG;
  static final String XENC = PskcCrypto.XMLENC;
  static final String XENC11 = "http://www.w3.org/2009/xmlenc11#";
  static final String PKCS5 = PskcCrypto.PKCS5;

  static final String HOTP_URI = "urn:ietf:params:xml:ns:keyprov:pskc:hotp";
  static final Set<String> TOTP_URIS =
      Set.of(
          "urn:ietf:params:xml:ns:keyprov:pskc:totp", "urn:ietf:params:xml:ns:keyprov:pskc#totp");

  private static final int MAX_DEPTH = 32;
  private static final int MAX_TEXT_CHARS = 64 * 1024;
  private static final int MAX_SERIAL_CHARS = 128;
  private static final int MIN_SECRET_BYTES = 16;
  private static final int MAX_SECRET_BYTES = 128;
  private static final int MAX_TIME_INTERVAL = 86_400;

  private PskcParser() {}

  /**
   * Parses a PSKC document. Blocking CPU and I/O work: call it on a worker thread.
   *
   * @param xml the document; read to the end but not closed (the caller owns it)
   * @param protection the pre-shared key or password for an encrypted document; {@code null} means
   *     {@link PskcProtection#none()}
   * @return the keys and the skipped keys, in document order
   * @throws PskcException if the document cannot be read at all (message safe to show, no key
   *     material)
   */
  public static PskcResult parse(InputStream xml, PskcProtection protection) {
    Objects.requireNonNull(xml, "xml");
    Run run = new Run(protection == null ? PskcProtection.none() : protection);
    XMLStreamReader reader = null;
    try {
      reader = newFactory().createXMLStreamReader(xml);
      run.cursor = new Cursor(reader);
      return run.document();
    } catch (XMLStreamException e) {
      if (e.getNestedException() instanceof IOException) {
        throw new PskcException("The document could not be read");
      }
      // The parser's own message is not shown: it may quote the document.
      throw new PskcException(notWellFormed(e.getLocation()));
    } catch (PskcException e) {
      throw e;
    } catch (RuntimeException e) {
      // A StAX implementation may report bad input with an unchecked exception; its text is not
      // shown.
      throw new PskcException("The document could not be read");
    } finally {
      run.wipe();
      if (reader != null) {
        try {
          reader.close();
        } catch (XMLStreamException ignored) {
          // nothing to release that matters
        }
      }
    }
  }

  private static XMLInputFactory newFactory() {
    // The JDK's own implementation, whatever else is on the class path.
    XMLInputFactory f = XMLInputFactory.newDefaultFactory();
    f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
    f.setProperty(XMLInputFactory.IS_COALESCING, false);
    f.setXMLResolver(
        (publicId, systemId, baseUri, namespace) -> {
          throw new XMLStreamException("external resources are not accepted");
        });
    trySet(f, XMLConstants.ACCESS_EXTERNAL_DTD, "");
    trySet(f, XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
    return f;
  }

  private static void trySet(XMLInputFactory f, String name, Object value) {
    try {
      f.setProperty(name, value);
    } catch (IllegalArgumentException notSupported) {
      // not every StAX implementation knows every property; the DTD event is refused anyway
    }
  }

  private static String notWellFormed(Location at) {
    if (at != null && at.getLineNumber() > 0) {
      return "The document is not well-formed XML (line "
          + at.getLineNumber()
          + ", column "
          + at.getColumnNumber()
          + ")";
    }
    return "The document is not well-formed XML";
  }

  /**
   * A per-key problem; becomes a {@link PskcSkip}. The reason is a constant string, never document
   * content.
   */
  private static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    Refused(String reason) {
      super(reason, null, false, false);
    }
  }

  /** An {@code xenc:EncryptedDataType}-shaped value: algorithm and IV || ciphertext. */
  private static final class Encrypted {
    String algorithm;
    byte[] ivAndCiphertext;
    boolean malformed;
    boolean unsupportedReference;
  }

  /** A {@code Data} child: {@code PlainValue} or {@code EncryptedValue} + {@code ValueMAC}. */
  private static final class DataValue {
    String plain;
    Encrypted encrypted;
    byte[] valueMac;
    boolean valueMacMalformed;
  }

  /** What a {@code Key} element said, before validation. */
  private static final class KeyDraft {
    String id;
    String algorithmUri;
    String length;
    String encoding;
    String suite;
    DataValue secret;
    DataValue counter;
    DataValue time;
    DataValue timeInterval;
    DataValue timeDrift;
  }

  /** A StAX reader that refuses DTDs and entity references and bounds nesting and text size. */
  private static final class Cursor {
    final XMLStreamReader r;
    int depth;

    Cursor(XMLStreamReader r) {
      this.r = r;
    }

    int next() throws XMLStreamException {
      int ev = r.next();
      switch (ev) {
        case XMLStreamConstants.DTD -> throw new PskcException("DTDs are not accepted");
        case XMLStreamConstants.ENTITY_REFERENCE,
            XMLStreamConstants.ENTITY_DECLARATION,
            XMLStreamConstants.NOTATION_DECLARATION ->
            throw new PskcException("Entity references are not accepted");
        case XMLStreamConstants.START_ELEMENT -> {
          if (++depth > MAX_DEPTH) {
            throw new PskcException("The document is nested too deeply");
          }
        }
        case XMLStreamConstants.END_ELEMENT -> depth--;
        default -> {}
      }
      return ev;
    }

    /**
     * From a start tag (or a child's end tag), moves to the next child start tag and returns true,
     * or consumes the current element's end tag and returns false. Text between children is
     * ignored.
     */
    boolean nextChild() throws XMLStreamException {
      while (true) {
        int ev = next();
        if (ev == XMLStreamConstants.START_ELEMENT) {
          return true;
        }
        if (ev == XMLStreamConstants.END_ELEMENT) {
          return false;
        }
        if (ev == XMLStreamConstants.END_DOCUMENT) {
          throw new PskcException("The document ends unexpectedly");
        }
      }
    }

    /**
     * The text content of the current element (child elements are skipped), through its end tag.
     */
    String text() throws XMLStreamException {
      StringBuilder sb = new StringBuilder();
      int level = 0;
      while (true) {
        int ev = next();
        switch (ev) {
          case XMLStreamConstants.CHARACTERS,
              XMLStreamConstants.CDATA,
              XMLStreamConstants.SPACE -> {
            if (level == 0) {
              if (sb.length() + r.getTextLength() > MAX_TEXT_CHARS) {
                throw new PskcException("The document has an element with too much text");
              }
              sb.append(r.getTextCharacters(), r.getTextStart(), r.getTextLength());
            }
          }
          case XMLStreamConstants.START_ELEMENT -> level++;
          case XMLStreamConstants.END_ELEMENT -> {
            if (level-- == 0) {
              return sb.toString();
            }
          }
          case XMLStreamConstants.END_DOCUMENT ->
              throw new PskcException("The document ends unexpectedly");
          default -> {}
        }
      }
    }

    /** Skips the current element, through its end tag. */
    void skip() throws XMLStreamException {
      int level = 0;
      while (true) {
        int ev = next();
        if (ev == XMLStreamConstants.START_ELEMENT) {
          level++;
        } else if (ev == XMLStreamConstants.END_ELEMENT) {
          if (level-- == 0) {
            return;
          }
        } else if (ev == XMLStreamConstants.END_DOCUMENT) {
          throw new PskcException("The document ends unexpectedly");
        }
      }
    }

    /** The current start tag is {@code local} in namespace {@code ns} (or in no namespace). */
    boolean is(String ns, String local) {
      if (!local.equals(r.getLocalName())) {
        return false;
      }
      String actual = r.getNamespaceURI();
      return actual == null || actual.isEmpty() || actual.equals(ns);
    }

    String attr(String name) {
      String v = r.getAttributeValue(null, name);
      return v == null ? null : v.trim();
    }
  }

  private enum KeySource {
    NONE,
    PRE_SHARED,
    PBKDF2
  }

  /** The state of one parse. */
  private static final class Run {
    final PskcProtection protection;
    Cursor cursor;

    KeySource source = KeySource.NONE;
    boolean encryptionKeySeen;
    byte[] pbkdf2Salt;
    int pbkdf2Iterations;
    int pbkdf2KeyLength; // 0 = not specified
    String pbkdf2Prf = "HmacSHA1";
    final Map<Integer, byte[]> derivedKeys = new HashMap<>();

    boolean macMethodSeen;
    String macAlgorithm;
    Encrypted macKeyEncrypted;
    byte[] macKey;
    boolean headerDone;

    int keyCount;
    int packageCount;
    final List<PskcKey> keys = new ArrayList<>();
    final List<PskcSkip> skipped = new ArrayList<>();

    Run(PskcProtection protection) {
      this.protection = protection;
    }

    void wipe() {
      if (macKey != null) {
        Arrays.fill(macKey, (byte) 0);
      }
      for (byte[] k : derivedKeys.values()) {
        Arrays.fill(k, (byte) 0);
      }
      derivedKeys.clear();
    }

    PskcResult document() throws XMLStreamException {
      Cursor c = cursor;
      int ev;
      do {
        ev = c.next();
        if (ev == XMLStreamConstants.END_DOCUMENT) {
          throw new PskcException("The document is empty");
        }
      } while (ev != XMLStreamConstants.START_ELEMENT);
      if (!"KeyContainer".equals(c.r.getLocalName()) || !PSKC.equals(c.r.getNamespaceURI())) {
        throw new PskcException(
            "Not a PSKC document: the root element must be a PSKC KeyContainer");
      }
      String version = c.attr("Version");
      if (version != null && !version.equals("1.0")) {
        throw new PskcException("Unsupported PSKC version (only 1.0 is supported)");
      }
      while (c.nextChild()) {
        if (c.is(PSKC, "EncryptionKey")) {
          encryptionKey();
        } else if (c.is(PSKC, "MACMethod")) {
          macMethod();
        } else if (c.is(PSKC, "KeyPackage")) {
          finishHeader();
          keyPackage();
        } else {
          c.skip(); // ds:Signature, Extensions, anything unknown
        }
      }
      finishHeader();
      while (c.next() != XMLStreamConstants.END_DOCUMENT) {
        // trailing comments or processing instructions; anything malformed still throws
      }
      return new PskcResult(keys, skipped);
    }

    // ---- header: EncryptionKey, MACMethod ----

    void encryptionKey() throws XMLStreamException {
      Cursor c = cursor;
      if (encryptionKeySeen || headerDone) {
        throw new PskcException("The document has a misplaced or repeated EncryptionKey");
      }
      encryptionKeySeen = true;
      boolean keyName = false;
      boolean derived = false;
      while (c.nextChild()) {
        if (c.is(DS, "KeyName")) {
          c.text();
          keyName = true;
        } else if (c.is(XENC11, "DerivedKey")) {
          derivedKey();
          derived = true;
        } else {
          c.skip();
        }
      }
      if (derived) {
        source = KeySource.PBKDF2;
        if (protection.password() == null) {
          throw new PskcException("The document is protected with a password; supply the password");
        }
      } else if (keyName) {
        source = KeySource.PRE_SHARED;
        requirePreSharedKey();
      } else {
        throw new PskcException(
            "Unsupported EncryptionKey: only a pre-shared key (ds:KeyName) or a "
                + "PBKDF2 password (xenc11:DerivedKey) is supported");
      }
    }

    void requirePreSharedKey() {
      byte[] psk = protection.preSharedKey();
      if (psk == null) {
        throw new PskcException("The document is encrypted with a pre-shared key; supply the key");
      }
      if (psk.length != 16 && psk.length != 24 && psk.length != 32) {
        throw new PskcException("The pre-shared key must be 16, 24 or 32 bytes long");
      }
    }

    void derivedKey() throws XMLStreamException {
      Cursor c = cursor;
      boolean haveParams = false;
      while (c.nextChild()) {
        if (c.is(XENC11, "KeyDerivationMethod")) {
          if (!PskcCrypto.PBKDF2_URI.equals(c.attr("Algorithm"))) {
            throw new PskcException("Unsupported key derivation method (only PBKDF2 is supported)");
          }
          while (c.nextChild()) {
            if (c.is(PKCS5, "PBKDF2-params")) {
              pbkdf2Params();
              haveParams = true;
            } else {
              c.skip();
            }
          }
        } else {
          c.skip(); // xenc:ReferenceList, xenc11:MasterKeyName, CarriedKeyName
        }
      }
      if (!haveParams) {
        throw new PskcException("The PBKDF2 parameters are missing");
      }
    }

    void pbkdf2Params() throws XMLStreamException {
      Cursor c = cursor;
      String iterations = null;
      String keyLength = null;
      while (c.nextChild()) {
        // RFC 6030 figure 7 puts these children in no namespace; the pkcs5 namespace is accepted
        // too.
        if (c.is(PKCS5, "Salt")) {
          while (c.nextChild()) {
            if (c.is(PKCS5, "Specified")) {
              pbkdf2Salt = base64(c.text());
              if (pbkdf2Salt == null) {
                throw new PskcException("The PBKDF2 salt is not valid base64");
              }
            } else {
              throw new PskcException("Unsupported PBKDF2 salt source");
            }
          }
        } else if (c.is(PKCS5, "IterationCount")) {
          iterations = c.text().trim();
        } else if (c.is(PKCS5, "KeyLength")) {
          keyLength = c.text().trim();
        } else if (c.is(PKCS5, "PRF")) {
          String prf = c.attr("Algorithm");
          c.skip();
          if (prf != null && !prf.isEmpty()) {
            pbkdf2Prf = PskcCrypto.hmacName(prf);
            if (pbkdf2Prf == null) {
              throw new PskcException("Unsupported PBKDF2 pseudo-random function");
            }
          }
        } else {
          c.skip();
        }
      }
      if (pbkdf2Salt == null) {
        throw new PskcException("The PBKDF2 salt is missing");
      }
      if (iterations == null) {
        throw new PskcException("The PBKDF2 iteration count is missing");
      }
      long n = parseLong(iterations, "The PBKDF2 iteration count is not a number");
      if (n < 1) {
        throw new PskcException("The PBKDF2 iteration count must be positive");
      }
      if (n > MAX_ITERATION_COUNT) {
        throw new PskcException(
            "The PBKDF2 iteration count is too high (at most " + MAX_ITERATION_COUNT + ")");
      }
      pbkdf2Iterations = (int) n;
      if (keyLength != null) {
        long len = parseLong(keyLength, "The PBKDF2 key length is not a number");
        if (len != 16 && len != 24 && len != 32) {
          throw new PskcException("Unsupported PBKDF2 key length (must be 16, 24 or 32 bytes)");
        }
        pbkdf2KeyLength = (int) len;
      }
    }

    void macMethod() throws XMLStreamException {
      Cursor c = cursor;
      if (macMethodSeen || headerDone) {
        throw new PskcException("The document has a misplaced or repeated MACMethod");
      }
      macMethodSeen = true;
      macAlgorithm = PskcCrypto.hmacName(c.attr("Algorithm"));
      if (macAlgorithm == null) {
        throw new PskcException("Unsupported MAC algorithm (MACMethod)");
      }
      while (c.nextChild()) {
        if (c.is(PSKC, "MACKey")) {
          macKeyEncrypted = encrypted();
        } else {
          c.skip(); // MACKeyReference (a pre-agreed MAC key) is not supported: values are then
          // skipped
        }
      }
    }

    /**
     * Called once, before the first KeyPackage (or at the end): checks keys and decrypts the MAC
     * key.
     */
    void finishHeader() {
      if (headerDone) {
        return;
      }
      headerDone = true;
      if (source == KeySource.NONE && protection.preSharedKey() != null) {
        source = KeySource.PRE_SHARED; // no EncryptionKey element: a key agreed out of band
        requirePreSharedKey();
      }
      if (macKeyEncrypted == null) {
        return;
      }
      if (source == KeySource.NONE) {
        throw new PskcException("The document is encrypted; supply the pre-shared key or password");
      }
      Encrypted e = macKeyEncrypted;
      if (e.unsupportedReference || e.malformed || e.ivAndCiphertext == null) {
        throw new PskcException("The MAC key is missing or malformed");
      }
      int len = PskcCrypto.aesKeyLength(e.algorithm);
      if (len < 0) {
        throw new PskcException("Unsupported encryption algorithm for the MAC key");
      }
      byte[] key;
      try {
        key = decryptionKey(len);
      } catch (Refused r) {
        throw new PskcException(r.getMessage() + " (MAC key)");
      }
      try {
        macKey = PskcCrypto.aesCbcDecrypt(key, e.ivAndCiphertext);
      } catch (PskcCrypto.UndecryptableException wrong) {
        throw new PskcException(
            "Wrong pre-shared key or password: the MAC key cannot be decrypted");
      }
      if (macKey.length == 0) {
        throw new PskcException(
            "Wrong pre-shared key or password: the MAC key cannot be decrypted");
      }
    }

    /** The AES key for an algorithm needing {@code length} bytes. */
    byte[] decryptionKey(int length) throws Refused {
      switch (source) {
        case PRE_SHARED -> {
          byte[] psk = protection.preSharedKey();
          if (psk.length != length) {
            throw new Refused("pre-shared key length does not match the encryption algorithm");
          }
          return psk;
        }
        case PBKDF2 -> {
          if (pbkdf2KeyLength != 0 && pbkdf2KeyLength != length) {
            throw new Refused("PBKDF2 key length does not match the encryption algorithm");
          }
          byte[] k = derivedKeys.get(length);
          if (k == null) {
            k =
                PskcCrypto.pbkdf2(
                    pbkdf2Prf, protection.password(), pbkdf2Salt, pbkdf2Iterations, length);
            derivedKeys.put(length, k);
          }
          return k;
        }
        default -> throw new Refused("no decryption key");
      }
    }

    // ---- KeyPackage / Key ----

    void keyPackage() throws XMLStreamException {
      Cursor c = cursor;
      int index = ++packageCount;
      String serial = null;
      List<KeyDraft> drafts = new ArrayList<>(1);
      while (c.nextChild()) {
        if (c.is(PSKC, "DeviceInfo")) {
          while (c.nextChild()) {
            if (c.is(PSKC, "SerialNo")) {
              serial = c.text().trim();
            } else {
              c.skip();
            }
          }
        } else if (c.is(PSKC, "Key")) {
          if (++keyCount > MAX_KEYS) {
            throw new PskcException("The document has too many keys (at most " + MAX_KEYS + ")");
          }
          drafts.add(key());
        } else {
          c.skip(); // CryptoModuleInfo, Extensions
        }
      }
      String packageLabel = "KeyPackage #" + index;
      if (drafts.isEmpty()) {
        skipped.add(new PskcSkip(usable(serial) ? serial : packageLabel, "KeyPackage has no Key"));
        return;
      }
      for (KeyDraft d : drafts) {
        String name = usable(serial) ? serial : usable(d.id) ? d.id : null;
        if (name == null) {
          boolean present =
              (serial != null && !serial.isEmpty()) || (d.id != null && !d.id.isEmpty());
          skipped.add(
              new PskcSkip(
                  packageLabel,
                  present
                      ? "serial number is too long or has control characters"
                      : "no serial number or key Id"));
          continue;
        }
        try {
          keys.add(build(d, name));
        } catch (Refused r) {
          skipped.add(new PskcSkip(name, r.getMessage()));
        }
      }
    }

    KeyDraft key() throws XMLStreamException {
      Cursor c = cursor;
      KeyDraft d = new KeyDraft();
      d.id = c.attr("Id");
      d.algorithmUri = c.attr("Algorithm");
      while (c.nextChild()) {
        if (c.is(PSKC, "AlgorithmParameters")) {
          while (c.nextChild()) {
            if (c.is(PSKC, "Suite")) {
              d.suite = c.text().trim();
            } else if (c.is(PSKC, "ResponseFormat")) {
              d.length = c.attr("Length");
              d.encoding = c.attr("Encoding");
              c.skip();
            } else {
              c.skip();
            }
          }
        } else if (c.is(PSKC, "Data")) {
          while (c.nextChild()) {
            if (c.is(PSKC, "Secret")) {
              d.secret = dataValue();
            } else if (c.is(PSKC, "Counter")) {
              d.counter = dataValue();
            } else if (c.is(PSKC, "Time")) {
              d.time = dataValue();
            } else if (c.is(PSKC, "TimeInterval")) {
              d.timeInterval = dataValue();
            } else if (c.is(PSKC, "TimeDrift")) {
              d.timeDrift = dataValue();
            } else {
              c.skip();
            }
          }
        } else {
          c.skip(); // Issuer, FriendlyName, KeyProfileId, KeyReference, UserId, Policy, Extensions
        }
      }
      return d;
    }

    DataValue dataValue() throws XMLStreamException {
      Cursor c = cursor;
      DataValue v = new DataValue();
      while (c.nextChild()) {
        if (c.is(PSKC, "PlainValue")) {
          v.plain = c.text();
        } else if (c.is(PSKC, "EncryptedValue")) {
          v.encrypted = encrypted();
        } else if (c.is(PSKC, "ValueMAC")) {
          v.valueMac = base64(c.text());
          v.valueMacMalformed = v.valueMac == null;
        } else {
          c.skip();
        }
      }
      return v;
    }

    /** Reads an element of xenc:EncryptedDataType (EncryptedValue, MACKey). */
    Encrypted encrypted() throws XMLStreamException {
      Cursor c = cursor;
      Encrypted e = new Encrypted();
      while (c.nextChild()) {
        if (c.is(XENC, "EncryptionMethod")) {
          e.algorithm = c.attr("Algorithm");
          c.skip();
        } else if (c.is(XENC, "CipherData")) {
          while (c.nextChild()) {
            if (c.is(XENC, "CipherValue")) {
              e.ivAndCiphertext = base64(c.text());
              e.malformed |= e.ivAndCiphertext == null;
            } else {
              e.unsupportedReference = true; // CipherReference
              c.skip();
            }
          }
        } else {
          c.skip(); // ds:KeyInfo, EncryptionProperties
        }
      }
      return e;
    }

    PskcKey build(KeyDraft d, String serial) throws Refused {
      String type;
      if (HOTP_URI.equals(d.algorithmUri)) {
        type = "hotp";
      } else if (d.algorithmUri != null && TOTP_URIS.contains(d.algorithmUri)) {
        type = "totp";
      } else {
        throw new Refused("unsupported algorithm");
      }
      if (d.length == null) {
        throw new Refused("missing ResponseFormat Length");
      }
      int digits;
      try {
        digits = Integer.parseInt(d.length);
      } catch (NumberFormatException e) {
        throw new Refused("invalid ResponseFormat Length");
      }
      if (digits != 6 && digits != 8) {
        throw new Refused("unsupported number of digits (must be 6 or 8)");
      }
      if (d.encoding != null && !d.encoding.equals("DECIMAL")) {
        throw new Refused("unsupported ResponseFormat Encoding (must be DECIMAL)");
      }
      String algorithm = hashOfSuite(d.suite);

      long counter = 0;
      long time = 0;
      int period = 30;
      int drift = 0;
      if (type.equals("hotp")) {
        if (d.counter != null) {
          counter = number(d.counter, "Counter");
          if (counter < 0) {
            throw new Refused("Counter is negative");
          }
        }
      } else {
        if (d.time != null) {
          time = number(d.time, "Time");
          if (time < 0) {
            throw new Refused("Time is negative");
          }
        }
        if (d.timeInterval != null) {
          long p = number(d.timeInterval, "TimeInterval");
          if (p < 1 || p > MAX_TIME_INTERVAL) {
            throw new Refused("TimeInterval out of range");
          }
          period = (int) p;
        }
        if (d.timeDrift != null) {
          long t = number(d.timeDrift, "TimeDrift");
          if (t < Integer.MIN_VALUE || t > Integer.MAX_VALUE) {
            throw new Refused("TimeDrift out of range");
          }
          drift = (int) t;
        }
      }

      if (d.secret == null) {
        throw new Refused("no Secret");
      }
      byte[] secret = bytes(d.secret, "Secret");
      try {
        if (secret.length < MIN_SECRET_BYTES) {
          throw new Refused("secret shorter than 128 bits");
        }
        if (secret.length > MAX_SECRET_BYTES) {
          throw new Refused("secret longer than " + MAX_SECRET_BYTES + " bytes");
        }
        return new PskcKey(serial, type, algorithm, digits, period, counter, time, drift, secret);
      } finally {
        Arrays.fill(secret, (byte) 0);
      }
    }

    /**
     * The raw bytes of a value: base64 of the PlainValue, or the verified and decrypted
     * EncryptedValue.
     */
    byte[] bytes(DataValue v, String field) throws Refused {
      if (v.plain != null && v.encrypted != null) {
        throw new Refused(field + " has both a PlainValue and an EncryptedValue");
      }
      if (v.plain != null) {
        byte[] b = base64(v.plain);
        if (b == null) {
          throw new Refused(field + " is not valid base64");
        }
        return b;
      }
      Encrypted e = v.encrypted;
      if (e == null) {
        throw new Refused(field + " has no value");
      }
      // The MAC is checked before anything is decrypted; a value without a good MAC is never
      // imported.
      if (macKey == null) {
        throw new Refused("missing MAC key");
      }
      if (v.valueMac == null) {
        throw new Refused(
            v.valueMacMalformed ? "ValueMAC is not valid base64" : "missing ValueMAC");
      }
      if (e.unsupportedReference || e.malformed || e.ivAndCiphertext == null) {
        throw new Refused(field + " has a missing or malformed CipherValue");
      }
      if (!PskcCrypto.macMatches(macAlgorithm, macKey, e.ivAndCiphertext, v.valueMac)) {
        throw new Refused("ValueMAC does not match");
      }
      int len = PskcCrypto.aesKeyLength(e.algorithm);
      if (len < 0) {
        throw new Refused("unsupported encryption algorithm");
      }
      try {
        return PskcCrypto.aesCbcDecrypt(decryptionKey(len), e.ivAndCiphertext);
      } catch (PskcCrypto.UndecryptableException x) {
        throw new Refused(field + " cannot be decrypted");
      }
    }

    /** An integer value: decimal PlainValue, or big-endian bytes when encrypted. */
    long number(DataValue v, String field) throws Refused {
      if (v.plain != null && v.encrypted == null) {
        return parseNumber(v.plain.trim(), field);
      }
      byte[] b = bytes(v, field);
      try {
        if (b.length == 0 || b.length > 8) {
          throw new Refused(field + " is out of range");
        }
        long n = 0;
        for (byte x : b) {
          n = (n << 8) | (x & 0xff);
        }
        if (b.length == 8 && n < 0) {
          throw new Refused(field + " is out of range");
        }
        return n;
      } finally {
        Arrays.fill(b, (byte) 0);
      }
    }
  }

  // ---- helpers ----

  private static String hashOfSuite(String suite) throws Refused {
    if (suite == null || suite.isEmpty()) {
      return "SHA1";
    }
    String s = suite.toUpperCase(Locale.ROOT).replace("-", "").replace("_", "");
    if (s.startsWith("HMAC")) {
      s = s.substring(4);
    }
    return switch (s) {
      case "SHA1" -> "SHA1";
      case "SHA256" -> "SHA256";
      case "SHA512" -> "SHA512";
      default -> throw new Refused("unsupported Suite (HMAC-SHA1, HMAC-SHA256 or HMAC-SHA512)");
    };
  }

  private static long parseNumber(String text, String field) throws Refused {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new Refused(field + " is not a number");
    }
  }

  private static long parseLong(String text, String message) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new PskcException(message);
    }
  }

  /**
   * A serial number or Id that can be shown and stored: non-blank, bounded, no control characters.
   */
  private static boolean usable(String name) {
    if (name == null || name.isEmpty() || name.length() > MAX_SERIAL_CHARS) {
      return false;
    }
    return name.codePoints().noneMatch(Character::isISOControl);
  }

  /** Base64 with XML whitespace removed; null if invalid. */
  static byte[] base64(String text) {
    StringBuilder sb = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      if (ch != ' ' && ch != '\t' && ch != '\r' && ch != '\n') {
        sb.append(ch);
      }
    }
    try {
      return Base64.getDecoder().decode(sb.toString());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
