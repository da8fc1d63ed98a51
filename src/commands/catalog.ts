import { bdComment, bdLabelAdd, bdLabelRemove } from './bd/annotate.ts';
import { bdClose, bdReopen } from './bd/close.ts';
import { bdCreate } from './bd/create.ts';
import { bdDepAdd, bdDepCycles, bdDepRemove, bdDepTree } from './bd/dep.ts';
import { bdExport } from './bd/export.ts';
import { bdImport } from './bd/import.ts';
import { bdList } from './bd/list.ts';
import { bdBlocked, bdReady } from './bd/ready.ts';
import { bdShow } from './bd/show.ts';
import { bdUpdate } from './bd/update.ts';
import type { CommandDef } from './command.ts';
import { gtHook } from './gt/agent.ts';
import { gtApprovalList } from './gt/approval.ts';
import { gtApprovalAllow, gtApprovalDeny } from './gt/approval-decide.ts';
import { gtApprovalExpire, gtApprovalRequest, gtApprovalWait } from './gt/approval-request.ts';
import { gtApprovalRevoke } from './gt/approval-revoke.ts';
import { gtAudit } from './gt/audit.ts';
import { gtConvoyBudget } from './gt/convoy/budget.ts';
import { gtConvoyAdd, gtConvoyCreate } from './gt/convoy/create.ts';
import { gtConvoyLaunch } from './gt/convoy/launch.ts';
import { gtConvoyCheck, gtConvoyClose, gtConvoyLand } from './gt/convoy/lifecycle.ts';
import { gtConvoyProgress } from './gt/convoy/progress.ts';
import { gtConvoyStage } from './gt/convoy/stage.ts';
import { gtConvoyList, gtConvoyStatus } from './gt/convoy/status.ts';
import { gtConvoyStranded } from './gt/convoy/stranded.ts';
import { gtCosts } from './gt/costs.ts';
import { gtDone } from './gt/done.ts';
import { gtEscalate } from './gt/escalate.ts';
import {
  gtEscalationAck,
  gtEscalationList,
  gtEscalationReescalate,
  gtEscalationRetire,
} from './gt/escalation.ts';
import { gtEscalationResolve } from './gt/escalation-resolve.ts';
import { gtFormulaList, gtFormulaShow } from './gt/formula.ts';
import { gtFormulaRun } from './gt/formula-run.ts';
import { gtGateApprove, gtGateList } from './gt/gate.ts';
import { gtMailAck, gtMailArchive, gtMailInbox, gtMailRead, gtMailThread } from './gt/mail/mailbox.ts';
import { gtMailSend } from './gt/mail/send.ts';
import { gtMayorConfig } from './gt/mayor.ts';
import { gtMqHold, gtMqReject, gtMqRelease, gtMqRetry } from './gt/mq/decide.ts';
import { gtMqFreeze, gtMqThaw } from './gt/mq/freeze.ts';
import { gtMqIntegration } from './gt/mq/integration.ts';
import { gtMqLandAnyway } from './gt/mq/land-anyway.ts';
import { gtMqList, gtMqStatus } from './gt/mq/list.ts';
import { gtMqRework } from './gt/mq/rework.ts';
import { gtMqSubmit } from './gt/mq/submit.ts';
import { gtHeartbeat, gtNudge } from './gt/nudge.ts';
import { gtPlanDiscard, gtPlanLaunch, gtPlanRevise, gtPlanStop } from './gt/plan/decide.ts';
import { gtPlan } from './gt/plan/request.ts';
import { gtPlanShow } from './gt/plan/show.ts';
import { gtPolecatRelease, gtPolecatRespawn, gtPolecatStop } from './gt/polecat.ts';
import { gtPolecatLimited } from './gt/polecat-limited.ts';
import { gtPolecats } from './gt/polecats.ts';
import { gtRigAdd, gtRigList, gtRigPark, gtRigUnpark } from './gt/rig.ts';
import { gtRigResume } from './gt/rig-resume.ts';
import { gtRigSet } from './gt/rig-set.ts';
import { gtSling } from './gt/sling.ts';
import { gtUsageReport } from './gt/usage-report.ts';

/** Every verb the command layer serves. Adding a verb = one file + one line here. */
export const CATALOG: readonly CommandDef[] = [
  bdCreate,
  bdShow,
  bdList,
  bdUpdate,
  bdClose,
  bdReopen,
  bdDepAdd,
  bdDepRemove,
  bdDepTree,
  bdDepCycles,
  bdReady,
  bdBlocked,
  bdComment,
  bdLabelAdd,
  bdLabelRemove,
  bdImport,
  bdExport,
  gtRigAdd,
  gtRigList,
  gtRigPark,
  gtRigUnpark,
  gtRigSet,
  gtRigResume,
  gtConvoyCreate,
  gtConvoyAdd,
  gtConvoyStatus,
  gtConvoyProgress,
  gtConvoyList,
  gtConvoyCheck,
  gtConvoyClose,
  gtConvoyLand,
  gtConvoyStranded,
  gtConvoyStage,
  gtConvoyLaunch,
  gtConvoyBudget,
  gtSling,
  gtHook,
  gtDone,
  gtPolecats,
  gtMailSend,
  gtMailInbox,
  gtMailRead,
  gtMailAck,
  gtMailArchive,
  gtMailThread,
  gtNudge,
  gtHeartbeat,
  gtEscalate,
  gtEscalationList,
  gtEscalationAck,
  gtEscalationResolve,
  gtEscalationRetire,
  gtEscalationReescalate,
  gtPolecatRespawn,
  gtPolecatStop,
  gtPolecatRelease,
  gtPolecatLimited,
  gtMqList,
  gtMqStatus,
  gtMqSubmit,
  gtMqRetry,
  gtMqHold,
  gtMqRelease,
  gtMqReject,
  gtMqRework,
  gtMqFreeze,
  gtMqThaw,
  gtMqLandAnyway,
  gtFormulaList,
  gtFormulaShow,
  gtFormulaRun,
  gtGateList,
  gtGateApprove,
  gtApprovalRequest,
  gtApprovalWait,
  gtApprovalExpire,
  gtApprovalList,
  gtApprovalAllow,
  gtApprovalDeny,
  gtApprovalRevoke,
  gtMqIntegration,
  gtPlan,
  gtPlanShow,
  gtPlanLaunch,
  gtPlanRevise,
  gtPlanDiscard,
  gtPlanStop,
  gtMayorConfig,
  gtAudit,
  gtUsageReport,
  gtCosts,
] as CommandDef[];

/**
 * Finds the verb a list of words names (longest match: `dep add` before `dep`) and returns the
 * remaining words. `root` is `bd` or `gt`.
 */
export function resolveVerb(
  root: string,
  words: readonly string[],
): { def: CommandDef; rest: string[] } | null {
  let best: CommandDef | null = null;
  for (const def of CATALOG) {
    if (def.path[0] !== root) continue;
    const tail = def.path.slice(1);
    if (tail.every((w, i) => words[i] === w) && (!best || def.path.length > best.path.length)) best = def;
  }
  return best ? { def: best, rest: words.slice(best.path.length - 1) } : null;
}
