package dev.jeton.pskc;

/**
 * A PSKC document that cannot be read at all: not XML, a DTD, not a PSKC container, encrypted but
 * no key or password supplied, a wrong key or password, unsupported document-wide cryptography, or
 * limits exceeded.
 *
 * <p>The message is short, written for the person who uploaded the file, and never contains key
 * material or text copied from the document. Problems with a single key are not exceptions: they
 * are reported as {@link PskcSkip}s.
 */
public final class PskcException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public PskcException(String message) {
    super(message);
  }
}
