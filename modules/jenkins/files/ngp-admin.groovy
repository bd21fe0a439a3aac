// NGP: Jenkins's own init hook (init.groovy.d). On a Jenkins that has no user yet, it creates the admin user with
// the password NGP generated into Secrets Manager, which reaches the container through Docker's --env-file only,
// and lets logged-in users do everything and anonymous users nothing. Once a user exists it changes nothing, so
// a password changed in Jenkins stays changed.
import hudson.security.FullControlOnceLoggedInAuthorizationStrategy
import hudson.security.HudsonPrivateSecurityRealm
import jenkins.model.Jenkins

def jenkins = Jenkins.get()
def password = System.getenv('JENKINS_ADMIN_PASSWORD')
def realm = jenkins.securityRealm
def hasUsers = realm instanceof HudsonPrivateSecurityRealm && !realm.allUsers.isEmpty()
if (password && !hasUsers) {
  def own = new HudsonPrivateSecurityRealm(false)
  own.createAccount(System.getenv('JENKINS_ADMIN_USER') ?: 'admin', password)
  jenkins.securityRealm = own
  def strategy = new FullControlOnceLoggedInAuthorizationStrategy()
  strategy.allowAnonymousRead = false
  jenkins.authorizationStrategy = strategy
  jenkins.save()
}
