package dev.jeton.directory;

import com.unboundid.ldap.sdk.BindRequest;
import com.unboundid.ldap.sdk.FailoverServerSet;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.GetEntryLDAPConnectionPoolHealthCheck;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPSearchException;
import com.unboundid.ldap.sdk.LDAPURL;
import com.unboundid.ldap.sdk.OperationType;
import com.unboundid.ldap.sdk.PostConnectProcessor;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.ServerSet;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import com.unboundid.ldap.sdk.SingleServerSet;
import com.unboundid.ldap.sdk.StartTLSPostConnectProcessor;
import com.unboundid.util.ssl.HostNameSSLSocketVerifier;
import com.unboundid.util.ssl.JVMDefaultTrustManager;
import com.unboundid.util.ssl.PEMFileTrustManager;
import com.unboundid.util.ssl.SSLUtil;
import dev.jeton.bus.DirectoryBus.DirectoryUser;
import dev.jeton.bus.DirectoryBus.PasswordResult;
import dev.jeton.bus.DirectoryBus.Verdict;
import dev.jeton.config.LdapSettings;
import java.io.File;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import javax.net.SocketFactory;
import javax.net.ssl.TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The district's LDAP directory, read by search and bind; Jeton never writes to it.
 *
 * <p><b>Blocking.</b> Every method but {@link #close()} makes LDAP calls that may wait up to the
 * configured timeout (several, on failover): call them only from a worker thread ({@link
 * DirectoryVerticle} does, on a bounded worker pool). Thread-safe.
 *
 * <p><b>Connections.</b> Two pools over one {@link FailoverServerSet} of the configured URLs (the
 * next URL at once when one refuses; connections to a later URL age out after a minute so that the
 * first is used again when it returns):
 *
 * <ul>
 *   <li>the <em>search pool</em>, bound as the service account; only searches run on it;
 *   <li>the <em>bind pool</em>, never bound as the service account: only the users' binds run on it
 *       ({@code LDAPConnectionPool.bind}, which UnboundID documents for a pool used for binds
 *       only). A user's bind therefore never changes the identity of a connection that searches,
 *       and costs no TCP and TLS handshake per login as a fresh connection would (the 8 o'clock
 *       rush); {@code bindAndRevertAuthentication} would instead bind twice on a search connection
 *       and leave it as the user if the revert failed.
 * </ul>
 *
 * Both pools retry an operation once on a new connection when theirs has died (a directory that
 * restarted), check an idle connection every 5 s by reading the root DSE, and replace connections
 * older than 5 minutes: a directory that comes back is used again without a restart of Jeton.
 *
 * <p><b>Passwords.</b> The user's entry is searched (subtree of the base DN, the user filter with
 * the username escaped as RFC 4515 says, at most 2 entries), then its DN is bound with the
 * password. An empty password is {@link Verdict#WRONG} without any LDAP call: an empty-password
 * simple bind is an unauthenticated bind, which directories answer with success. A username found
 * in no entry, or in several, costs a bind all the same (to a DN under the base that does not
 * exist, which the directory refuses), then is {@link Verdict#WRONG}: the answer and its time do
 * not tell an unknown username from a wrong password.
 *
 * <p><b>Usernames.</b> A user's username is the value of the attribute that the user filter asserts
 * {@code {username}} on ({@link LdapSettings#usernameAttribute()}: {@code uid} for {@code
 * (uid={username})}, {@code sAMAccountName} for {@code
 * (&(objectClass=user)(sAMAccountName={username}))}); the assumption is that the filter finds a
 * user by that one attribute's whole value, as those filters do.
 */
public final class LdapDirectory implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LdapDirectory.class);

  /** A DN no entry has: binding it with any password is refused, at the cost of a bind. */
  private static final String ABSENT_RDN = "cn=jeton-no-such-user-7f3a9c";

  private static final long HEALTH_CHECK_MILLIS = 5_000;
  private static final long MAX_CONNECTION_AGE_MILLIS = 300_000;
  private static final long MAX_FAILOVER_AGE_MILLIS = 60_000;

  private final LdapSettings settings;
  private final String usernameAttribute;
  private final String absentDn;
  private final LDAPConnectionPool searches;
  private final LDAPConnectionPool binds;

  /**
   * Makes the pools; connects at once if it can, but a directory that is down now is no error:
   * connections are made when first needed.
   *
   * @throws IllegalArgumentException when the TLS trust cannot be read (the CA file)
   */
  public LdapDirectory(LdapSettings settings) {
    this.settings = settings;
    this.usernameAttribute = settings.usernameAttribute();
    this.absentDn = ABSENT_RDN + "," + settings.baseDn();
    LDAPConnectionOptions options = new LDAPConnectionOptions();
    options.setConnectTimeoutMillis(settings.timeoutMillis());
    options.setResponseTimeoutMillis(settings.timeoutMillis());
    options.setAbandonOnTimeout(true);
    options.setUseKeepAlive(true);
    options.setSSLSocketVerifier(new HostNameSSLSocketVerifier(true));
    ServerSet servers = servers(settings, options);
    BindRequest service =
        settings.bindDn() == null
            ? null
            : new SimpleBindRequest(settings.bindDn(), settings.bindPassword());
    try {
      this.searches = pool(servers, service, "jeton-directory-search");
      this.binds = pool(servers, null, "jeton-directory-bind");
    } catch (LDAPException e) {
      // Not thrown when throwOnConnectFailure is false; kept checked by the SDK's signature.
      throw new IllegalStateException("cannot make the directory's connection pools", e);
    }
  }

  private LDAPConnectionPool pool(ServerSet servers, BindRequest bind, String name)
      throws LDAPException {
    LDAPConnectionPool pool =
        new LDAPConnectionPool(servers, bind, 1, settings.poolSize(), null, false);
    pool.setConnectionPoolName(name);
    pool.setCreateIfNecessary(true);
    pool.setMaxWaitTimeMillis(settings.timeoutMillis());
    pool.setMaxConnectionAgeMillis(MAX_CONNECTION_AGE_MILLIS);
    pool.setRetryFailedOperationsDueToInvalidConnections(
        EnumSet.of(OperationType.SEARCH, OperationType.BIND));
    pool.setHealthCheck(
        new GetEntryLDAPConnectionPoolHealthCheck(
            "", settings.timeoutMillis(), false, false, false, false, true, true));
    pool.setHealthCheckIntervalMillis(HEALTH_CHECK_MILLIS);
    return pool;
  }

  private static ServerSet servers(LdapSettings settings, LDAPConnectionOptions options) {
    SSLUtil tls = tls(settings);
    PostConnectProcessor startTls = null;
    List<ServerSet> sets = new ArrayList<>();
    for (String url : settings.urls()) {
      LDAPURL u;
      try {
        u = new LDAPURL(url);
      } catch (LDAPException e) {
        throw new IllegalArgumentException("JETON_LDAP_URL: " + url, e);
      }
      boolean ldaps = u.getScheme().toLowerCase(Locale.ROOT).equals("ldaps");
      SocketFactory sockets;
      try {
        sockets = ldaps ? tls.createSSLSocketFactory() : SocketFactory.getDefault();
        if (settings.startTls() && startTls == null) {
          startTls = new StartTLSPostConnectProcessor(tls.createSSLSocketFactory());
        }
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException("cannot set up TLS for the directory", e);
      }
      sets.add(
          new SingleServerSet(
              u.getHost(), u.getPort(), sockets, options, null, ldaps ? null : startTls));
    }
    FailoverServerSet failover = new FailoverServerSet(sets);
    failover.setMaxFailoverConnectionAgeMillis(MAX_FAILOVER_AGE_MILLIS);
    return failover;
  }

  private static SSLUtil tls(LdapSettings settings) {
    TrustManager trust;
    if (settings.caFile() == null) {
      trust = JVMDefaultTrustManager.getInstance();
    } else {
      try {
        trust = new PEMFileTrustManager(new File(settings.caFile()));
      } catch (java.security.KeyStoreException e) {
        throw new IllegalArgumentException(
            "JETON_LDAP_CA_FILE holds no usable PEM certificate: " + settings.caFile(), e);
      }
    }
    return new SSLUtil(trust);
  }

  /**
   * Checks a password: search, then bind as the entry found. Never throws.
   *
   * @return OK with the display name (null when the entry has none), WRONG (wrong password, empty
   *     password, unknown username, several entries), or UNAVAILABLE (down, slow, or an answer
   *     Jeton does not expect)
   */
  public PasswordResult checkPassword(String username, String password) {
    if (password == null || password.isEmpty() || username == null || username.isEmpty()) {
      return new PasswordResult(Verdict.WRONG, null);
    }
    List<SearchResultEntry> found;
    try {
      found = entries(userFilter(username), 2);
    } catch (DirectoryUnavailableException e) {
      return new PasswordResult(Verdict.UNAVAILABLE, null);
    }
    if (found.size() != 1) {
      if (found.size() > 1) {
        LOG.warn("several directory entries match one username: the password is refused");
      }
      return bind(absentDn, password) == Verdict.UNAVAILABLE
          ? new PasswordResult(Verdict.UNAVAILABLE, null)
          : new PasswordResult(Verdict.WRONG, null);
    }
    SearchResultEntry entry = found.get(0);
    Verdict verdict = bind(entry.getDN(), password);
    return new PasswordResult(
        verdict,
        verdict == Verdict.OK ? entry.getAttributeValue(settings.displayNameAttribute()) : null);
  }

  private Verdict bind(String dn, String password) {
    try {
      ResultCode code = binds.bind(dn, password).getResultCode();
      return code == ResultCode.SUCCESS ? Verdict.OK : Verdict.UNAVAILABLE;
    } catch (LDAPException e) {
      if (e.getResultCode() == ResultCode.INVALID_CREDENTIALS) {
        return Verdict.WRONG;
      }
      LOG.warn("directory bind failed: {} ({})", e.getResultCode(), e.getMessage());
      return Verdict.UNAVAILABLE;
    }
  }

  /**
   * The user whose username this is, or null when no entry, or several, match.
   *
   * @throws DirectoryUnavailableException when the directory cannot answer
   */
  public DirectoryUser findUser(String username) throws DirectoryUnavailableException {
    if (username == null || username.isEmpty()) {
      return null;
    }
    List<SearchResultEntry> found = entries(userFilter(username), 2);
    if (found.size() != 1) {
      return null;
    }
    DirectoryUser user = user(found.get(0));
    return user != null ? user : new DirectoryUser(username, null);
  }

  /**
   * Users whose username or display name starts with {@code prefix} (case as the directory's
   * matching rules say), at most {@code limit}, in the directory's order.
   *
   * @throws DirectoryUnavailableException when the directory cannot answer
   */
  public List<DirectoryUser> searchUsers(String prefix, int limit)
      throws DirectoryUnavailableException {
    if (limit <= 0) {
      return List.of();
    }
    String p = prefix == null ? "" : prefix;
    String any = settings.userFilter().replace(LdapSettings.USERNAME, "*");
    String byUsername = settings.userFilter().replace(LdapSettings.USERNAME, encoded(p) + "*");
    String byName = "(&" + any + "(" + settings.displayNameAttribute() + "=" + encoded(p) + "*))";
    List<DirectoryUser> users = new ArrayList<>();
    for (SearchResultEntry e : entries("(|" + byUsername + byName + ")", limit)) {
      DirectoryUser u = user(e);
      if (u != null) {
        users.add(u);
      }
    }
    return users;
  }

  /**
   * True when the directory answers a read of its root DSE in time (through the search pool, which
   * reconnects when it must).
   */
  public boolean healthy() {
    try {
      return searches.getRootDSE() != null;
    } catch (LDAPException e) {
      return false;
    }
  }

  private DirectoryUser user(SearchResultEntry e) {
    String username = e.getAttributeValue(usernameAttribute);
    return username == null
        ? null
        : new DirectoryUser(username, e.getAttributeValue(settings.displayNameAttribute()));
  }

  /**
   * The user filter for one username, escaped as RFC 4515 says: no character is a metacharacter.
   */
  String userFilter(String username) {
    return settings.userFilter().replace(LdapSettings.USERNAME, encoded(username));
  }

  private static String encoded(String value) {
    return Filter.encodeValue(value);
  }

  /** The entries a search finds, at most {@code limit} (those found before the limit was met). */
  private List<SearchResultEntry> entries(String filter, int limit)
      throws DirectoryUnavailableException {
    SearchRequest request;
    try {
      request =
          new SearchRequest(
              settings.baseDn(),
              SearchScope.SUB,
              Filter.create(filter),
              usernameAttribute,
              settings.displayNameAttribute());
    } catch (LDAPException e) {
      // The configured filter parsed at start, and values are escaped: this is a bug, not a user.
      throw new DirectoryUnavailableException("directory filter does not parse", e);
    }
    request.setSizeLimit(limit);
    request.setTimeLimitSeconds(Math.max(1, (settings.timeoutMillis() + 999) / 1000));
    request.setResponseTimeoutMillis(settings.timeoutMillis());
    try {
      return searches.search(request).getSearchEntries();
    } catch (LDAPSearchException e) {
      if (e.getResultCode() == ResultCode.SIZE_LIMIT_EXCEEDED) {
        return e.getSearchEntries();
      }
      throw unavailable(e);
    }
  }

  private static DirectoryUnavailableException unavailable(LDAPException e) {
    LOG.warn("directory search failed: {} ({})", e.getResultCode(), e.getMessage());
    return new DirectoryUnavailableException("directory unavailable: " + e.getResultCode(), e);
  }

  /** Closes both pools (their connections unbind). */
  @Override
  public void close() {
    searches.close();
    binds.close();
  }
}
