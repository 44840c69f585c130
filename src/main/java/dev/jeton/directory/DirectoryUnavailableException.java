package dev.jeton.directory;

/** The directory could not answer: down, slow, or an answer Jeton does not expect. */
public final class DirectoryUnavailableException extends Exception {
  public DirectoryUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
