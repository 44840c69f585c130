package dev.jeton.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.MissingResourceException;
import java.util.PropertyResourceBundle;
import java.util.ResourceBundle;

/**
 * The words of one set of pages (the portal's, the console's) in one language, from the resource
 * bundles {@code <dir>/messages_<lang>.properties}. French is the default; English when the
 * browser's {@code Accept-Language} prefers it. The bundles are read once, as UTF-8, without the
 * JDK's fallback to the machine's own locale (which would make a French page English on an English
 * server). Immutable and thread-safe.
 */
public final class Texts {

  /** The languages served, the default first. */
  public static final List<String> LANGUAGES = List.of("fr", "en");

  /** Every language of one set of pages. Immutable and thread-safe. */
  public static final class Catalog {
    private final Map<String, Texts> byLanguage;

    private Catalog(Map<String, Texts> byLanguage) {
      this.byLanguage = Map.copyOf(byLanguage);
    }

    /**
     * The texts in the language the {@code Accept-Language} header prefers among those served, else
     * French.
     */
    public Texts forAcceptLanguage(String acceptLanguage) {
      if (acceptLanguage != null && !acceptLanguage.isBlank() && acceptLanguage.length() < 512) {
        try {
          String tag = Locale.lookupTag(Locale.LanguageRange.parse(acceptLanguage), LANGUAGES);
          if (tag != null) {
            return byLanguage.get(tag);
          }
        } catch (IllegalArgumentException e) {
          // A malformed header gets the default language, like no header.
        }
      }
      return byLanguage.get(LANGUAGES.get(0));
    }

    public Texts of(String language) {
      Texts t = byLanguage.get(language);
      if (t == null) {
        throw new IllegalArgumentException("no texts for " + language);
      }
      return t;
    }
  }

  private final String language;
  private final ResourceBundle bundle;

  private Texts(String language, ResourceBundle bundle) {
    this.language = language;
    this.bundle = bundle;
  }

  /**
   * Reads the bundles of every served language from the class path.
   *
   * @param dir the bundles' folder on the class path, e.g. {@code /portal}
   * @throws IllegalStateException if a language's bundle is missing
   */
  public static Catalog catalog(String dir) {
    Map<String, Texts> m = new HashMap<>();
    for (String language : LANGUAGES) {
      m.put(language, load(dir, language));
    }
    return new Catalog(m);
  }

  /** The ISO 639 code, for {@code <html lang>}. */
  public String language() {
    return language;
  }

  /**
   * The text for {@code key}, with {@code {0}}, {@code {1}}… replaced by the arguments (not
   * escaped: HTML-escape the result).
   *
   * @throws MissingResourceException if the bundle has no such key
   */
  public String get(String key, Object... args) {
    String s = bundle.getString(key);
    for (int i = 0; i < args.length; i++) {
      s = s.replace("{" + i + "}", String.valueOf(args[i]));
    }
    return s;
  }

  /** The text for {@code key}, or {@code fallback} when the bundle has none. */
  public String getOr(String key, String fallback) {
    return bundle.containsKey(key) ? bundle.getString(key) : fallback;
  }

  /** "4 chiffres" or "4 à 8 chiffres" for the PIN policy's bounds. */
  public String pinDigits(int min, int max) {
    return min == max ? get("pin.digits.exact", min) : get("pin.digits.range", min, max);
  }

  private static Texts load(String dir, String language) {
    String name = dir + "/messages_" + language + ".properties";
    try (InputStream in = Texts.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return new Texts(
          language, new PropertyResourceBundle(new InputStreamReader(in, StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
