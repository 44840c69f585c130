package dev.jeton.config;

import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPException;
import java.util.List;

/**
 * Where the district's directory is and how to search it ({@code JETON_LDAP_*}, see {@code
 * docs/directory.md}). Immutable; {@link #toString()} never prints the bind password.
 *
 * @param urls {@code ldap://} or {@code ldaps://} URLs ({@code host[:port]} only), tried in order
 * @param startTls upgrade each {@code ldap://} connection with StartTLS (never with {@code ldaps})
 * @param bindDn the service account that searches, or null for anonymous searches
 * @param bindPassword its password ({@code JETON_LDAP_BIND_PASSWORD} or {@code _FILE}), or null
 * @param baseDn where users are searched (subtree)
 * @param userFilter the filter that finds one user, with {@code {username}} where the username
 *     goes; at least one equality assertion's whole value is {@code {username}}, and its attribute
 *     is where a user's username is read ({@link #usernameAttribute()})
 * @param displayNameAttribute the attribute that holds a user's display name
 * @param timeoutMillis connect and response timeout of every LDAP operation
 * @param poolSize connections of the service account's pool, and worker threads of the directory
 * @param caFile PEM certificates trusted for TLS, or null for the JVM's default trust
 */
public record LdapSettings(
    List<String> urls,
    boolean startTls,
    String bindDn,
    String bindPassword,
    String baseDn,
    String userFilter,
    String displayNameAttribute,
    int timeoutMillis,
    int poolSize,
    String caFile) {

  /** Where the username goes in {@link #userFilter}. */
  public static final String USERNAME = "{username}";

  static final String DEFAULT_USER_FILTER = "(uid={username})";
  static final String DEFAULT_DISPLAY_NAME_ATTRIBUTE = "cn";

  private static final String MARKER = "jeton-username-marker";

  public LdapSettings {
    urls = List.copyOf(urls);
  }

  /**
   * The attribute of the user filter's first equality assertion whose whole value is {@code
   * {username}}: a user's username is read from it.
   */
  public String usernameAttribute() {
    return usernameAttribute(userFilter);
  }

  /**
   * The attribute that {@code {username}} is asserted on in {@code filter}.
   *
   * @throws IllegalArgumentException when the filter does not parse, or no equality assertion's
   *     whole value is {@code {username}}
   */
  static String usernameAttribute(String filter) {
    if (!filter.contains(USERNAME)) {
      throw new IllegalArgumentException("must contain " + USERNAME);
    }
    Filter parsed;
    try {
      parsed = Filter.create(filter.replace(USERNAME, MARKER));
    } catch (LDAPException e) {
      throw new IllegalArgumentException("is not an LDAP filter (RFC 4515): " + e.getMessage());
    }
    String attribute = find(parsed);
    if (attribute == null) {
      throw new IllegalArgumentException(
          "must hold an equality assertion whose whole value is "
              + USERNAME
              + ", such as (uid="
              + USERNAME
              + ")");
    }
    return attribute;
  }

  private static String find(Filter f) {
    switch (f.getFilterType()) {
      case Filter.FILTER_TYPE_EQUALITY:
        return MARKER.equals(f.getAssertionValue()) ? f.getAttributeName() : null;
      case Filter.FILTER_TYPE_AND:
      case Filter.FILTER_TYPE_OR:
        for (Filter c : f.getComponents()) {
          String a = find(c);
          if (a != null) {
            return a;
          }
        }
        return null;
      default:
        return null;
    }
  }

  @Override
  public String toString() {
    return "LdapSettings[urls="
        + urls
        + ", startTls="
        + startTls
        + ", bindDn="
        + bindDn
        + ", bindPassword="
        + (bindPassword == null ? "none" : "<hidden>")
        + ", baseDn="
        + baseDn
        + ", userFilter="
        + userFilter
        + ", displayNameAttribute="
        + displayNameAttribute
        + ", timeoutMillis="
        + timeoutMillis
        + ", poolSize="
        + poolSize
        + ", caFile="
        + caFile
        + "]";
  }
}
