// Jobs: schema-driven provisioning, VM actions, live output and persistence.
// (The service itself arrives with the jobs issue; until then this module says so.)
import { notBuiltModule } from '../service-module';

export const jobsModule = notBuiltModule('jobs', 'provisioning and VM actions arrive with the jobs issue');
