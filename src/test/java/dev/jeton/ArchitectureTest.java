package dev.jeton;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import dev.jeton.track.BusStore;
import dev.jeton.track.Challenge;
import dev.jeton.track.ClientRecord;
import dev.jeton.track.FailState;
import dev.jeton.track.OperatorRecord;
import dev.jeton.track.RadiusClientRecord;
import dev.jeton.track.Store;
import dev.jeton.track.StoreUnavailableException;
import dev.jeton.track.TokenRecord;
import dev.jeton.track.UserRecord;
import dev.jeton.verify.Verifier;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The package graph is the design: intakes → verification → tracking over the event bus, one way.
 * These rules read the compiled classes of {@code src/main/java}; a change that breaks one fails
 * the build with the offending dependency named. The last tests prove the rules can fail, on
 * classes of the test tree made to break them.
 */
class ArchitectureTest {

  private static final String[] INTAKES = {
    "dev.jeton.http..",
    "dev.jeton.portal..",
    "dev.jeton.admin..",
    "dev.jeton.console..",
    "dev.jeton.radius.."
  };
  private static final String[] PURE = {
    "dev.jeton.otp..",
    "dev.jeton.crypto..",
    "dev.jeton.pskc..",
    "dev.jeton.policy..",
    "dev.jeton.radiuscodec.."
  };

  private static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.jeton");

  /**
   * {@code otp}, {@code crypto}, {@code pskc}, {@code policy}, {@code radiuscodec}: plain Java, no
   * Vert.x, no other Jeton package.
   */
  static List<ArchRule> pureRules() {
    return List.of(PURE).stream()
        .map(
            p ->
                (ArchRule)
                    noClasses()
                        .that()
                        .resideInAPackage(p)
                        .should()
                        .dependOnClassesThat(
                            resideInAPackage("io.vertx..")
                                .or(resideInAPackage("dev.jeton..").and(not(resideInAPackage(p)))))
                        .as(p + " uses neither Vert.x nor another Jeton package"))
        .toList();
  }

  static final ArchRule TRACK =
      noClasses()
          .that()
          .resideInAPackage("dev.jeton.track..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "dev.jeton.verify..",
              "dev.jeton.web..",
              "dev.jeton.http..",
              "dev.jeton.portal..",
              "dev.jeton.admin..",
              "dev.jeton.console..",
              "dev.jeton.audit..")
          .as("tracking knows no verification, no listener and no intake");

  static final ArchRule DIRECTORY =
      noClasses()
          .that()
          .resideInAPackage("dev.jeton.directory..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "dev.jeton.verify..",
              "dev.jeton.web..",
              "dev.jeton.http..",
              "dev.jeton.portal..",
              "dev.jeton.admin..",
              "dev.jeton.console..",
              "dev.jeton.audit..",
              "dev.jeton.track..")
          .as("the directory knows no verification, no listener, no intake and no store");

  /** Only the node's assembly ({@code dev.jeton.Jeton}) names the directory's classes. */
  static final ArchRule DIRECTORY_OVER_THE_BUS =
      noClasses()
          .that()
          .resideOutsideOfPackages("dev.jeton.directory..", "dev.jeton")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.jeton.directory..")
          .as("the directory is reached only over the event bus (DirectoryBus)");

  static final ArchRule VERIFY =
      noClasses()
          .that()
          .resideInAPackage("dev.jeton.verify..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "dev.jeton.web..",
              "dev.jeton.http..",
              "dev.jeton.portal..",
              "dev.jeton.admin..",
              "dev.jeton.console..")
          .as("verification knows no listener and no intake");

  /**
   * What an intake may hold of tracking: the store's interface, its client over the bus, and the
   * records it moves.
   */
  static final ArchRule INTAKES_OVER_THE_BUS =
      noClasses()
          .that()
          .resideInAnyPackage(INTAKES)
          .should()
          .dependOnClassesThat(
              resideInAPackage("dev.jeton.verify..")
                  .or(
                      resideInAPackage("dev.jeton.track..")
                          .and(
                              not(
                                  belongToAnyOf(
                                      Store.class,
                                      BusStore.class,
                                      StoreUnavailableException.class,
                                      UserRecord.class,
                                      TokenRecord.class,
                                      ClientRecord.class,
                                      RadiusClientRecord.class,
                                      OperatorRecord.class,
                                      FailState.class,
                                      Challenge.class)))))
          .as("intakes reach the verifier and the store only over the event bus");

  static final ArchRule PORTAL_APART =
      noClasses()
          .that()
          .resideInAPackage("dev.jeton.portal..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("dev.jeton.http..", "dev.jeton.admin..", "dev.jeton.console..")
          .as("the portal stands alone (the public listener mounts it, one way)");

  static final ArchRule CONSOLE_APART =
      noClasses()
          .that()
          .resideInAPackage("dev.jeton.console..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("dev.jeton.http..", "dev.jeton.portal..", "dev.jeton.admin..")
          .as("the console stands alone (the management listener mounts it, one way)");

  static final ArchRule ADMIN_APART =
      noClasses()
          .that()
          .resideInAPackage("dev.jeton.admin..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("dev.jeton.http..", "dev.jeton.portal..")
          .as("the admin API stands alone (it mounts the console, one way)");

  static final ArchRule LISTENERS =
      noClasses()
          .that()
          .resideInAPackage("dev.jeton.web..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(INTAKES)
          .orShould()
          .dependOnClassesThat()
          .resideInAnyPackage("dev.jeton.verify..", "dev.jeton.audit..")
          .as("what every listener shares knows no intake and no verification");

  static final ArchRule PROVISION =
      noClasses()
          .that()
          .resideInAPackage("dev.jeton.provision..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "dev.jeton.http..",
              "dev.jeton.portal..",
              "dev.jeton.admin..",
              "dev.jeton.console..",
              "dev.jeton.verify..",
              "dev.jeton.audit..")
          .as("what the provisioning intakes share knows no intake and no verification");

  static final ArchRule CONFIG =
      noClasses()
          .that()
          .resideInAPackage("dev.jeton.config..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "dev.jeton.web..",
              "dev.jeton.http..",
              "dev.jeton.portal..",
              "dev.jeton.admin..",
              "dev.jeton.console..",
              "dev.jeton.verify..",
              "dev.jeton.track..",
              "dev.jeton.audit..",
              "dev.jeton.metrics..")
          .as("the configuration parses into its own value types");

  static final ArchRule METRICS =
      noClasses()
          .that()
          .resideInAPackage("dev.jeton.metrics..")
          .should()
          .dependOnClassesThat(
              resideInAPackage("dev.jeton..").and(not(resideInAPackage("dev.jeton.metrics.."))))
          .as("metrics take plain values");

  static final ArchRule BUS =
      noClasses()
          .that()
          .resideInAPackage("dev.jeton.bus..")
          .should()
          .dependOnClassesThat(
              resideInAPackage("dev.jeton..").and(not(resideInAPackage("dev.jeton.bus.."))))
          .as("the bus (addresses, messages, request helpers) depends on no other Jeton package");

  static final ArchRule NO_CYCLES =
      slices().matching("dev.jeton.(*)..").should().beFreeOfCycles().as("no package cycle");

  @Test
  void pureCodeStaysPure() {
    pureRules().forEach(r -> r.check(MAIN));
  }

  @Test
  void trackingNeverLooksUp() {
    TRACK.check(MAIN);
  }

  @Test
  void theDirectoryNeverLooksUpAndIsReachedOverTheBus() {
    DIRECTORY.check(MAIN);
    DIRECTORY_OVER_THE_BUS.check(MAIN);
  }

  @Test
  void verificationNeverLooksUp() {
    VERIFY.check(MAIN);
  }

  @Test
  void intakesUseTheBus() {
    INTAKES_OVER_THE_BUS.check(MAIN);
    PORTAL_APART.check(MAIN);
    CONSOLE_APART.check(MAIN);
    ADMIN_APART.check(MAIN);
  }

  @Test
  void sharedListenerCodeKnowsNoIntake() {
    LISTENERS.check(MAIN);
  }

  @Test
  void sharedProvisioningKnowsNoIntake() {
    PROVISION.check(MAIN);
  }

  @Test
  void configurationAndMetricsImportNoIntakeAndNoVerification() {
    CONFIG.check(MAIN);
    METRICS.check(MAIN);
  }

  @Test
  void busIsTheBottomOfTheVertxSide() {
    BUS.check(MAIN);
  }

  @Test
  void noPackageCycle() {
    NO_CYCLES.check(MAIN);
  }

  @Test
  void theRulesSeeWhatTheyForbid() {
    assertThat(MAIN.contain(Verifier.class)).isTrue();
    JavaClasses broken = new ClassFileImporter().importPackages("dev.jeton.http", "dev.jeton.otp");
    assertThat(broken.contain("dev.jeton.http.IntakeCallingTheVerifier")).isTrue();
    assertThat(INTAKES_OVER_THE_BUS.evaluate(broken).hasViolation()).isTrue();
    assertThat(pureRules().stream().anyMatch(r -> r.evaluate(broken).hasViolation())).isTrue();
  }
}
