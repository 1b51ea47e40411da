// Agent deployment: makes every host run exactly our agent version before other services touch it.
// (The service itself arrives with the deployment issue; until then this module says so.)
import { notBuiltModule } from '../service-module';

export const deploymentModule = notBuiltModule('deployment', 'agent deployment arrives with its own issue; hosts are not prepared yet');
