/**
 * The SQLite schema. One file, WAL mode; `is_blocked` is a column maintained in the same
 * transaction as every write, so `ready` is one indexed range scan (beads.md §4.1).
 */
export const SCHEMA_VERSION = 2;

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE IF NOT EXISTS rigs (
  name TEXT PRIMARY KEY,
  prefix TEXT NOT NULL UNIQUE,
  repo TEXT,
  max_polecats INTEGER NOT NULL,
  runtime TEXT,
  command TEXT,
  env TEXT NOT NULL DEFAULT '[]',
  -- JSON (domain/merge-policy.ts); NULL in rows written before rigs had one (LEGACY_MERGE_POLICY).
  merge_policy TEXT,
  parked INTEGER NOT NULL DEFAULT 0,
  -- JSON (domain/rig.ts MqFreeze) while the rig's merge queue is frozen; NULL otherwise.
  mq_frozen TEXT,
  -- JSON array (domain/approval-rules.ts); NULL in rows written before rigs had one: [].
  approval_rules TEXT,
  -- The agent account it shares with other rigs (domain/usage-limit-account.ts); NULL: its own.
  account TEXT,
  -- JSON (domain/usage-limit.ts UsageLimit), held or remembered; NULL: none.
  usage_limit TEXT,
  created_at TEXT NOT NULL,
  version INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS beads (
  id TEXT PRIMARY KEY,
  prefix TEXT NOT NULL,
  title TEXT NOT NULL,
  description TEXT NOT NULL,
  acceptance_criteria TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,
  priority INTEGER NOT NULL,
  issue_type TEXT NOT NULL,
  assignee TEXT,
  labels TEXT NOT NULL,
  parent TEXT,
  rig TEXT,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  closed_at TEXT,
  close_reason TEXT NOT NULL,
  is_blocked INTEGER NOT NULL,
  version INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS beads_ready ON beads (status, is_blocked, priority, created_at, id);
CREATE INDEX IF NOT EXISTS beads_parent ON beads (parent);
CREATE INDEX IF NOT EXISTS beads_rig_status ON beads (rig, status);
CREATE INDEX IF NOT EXISTS beads_assignee ON beads (assignee, status);
-- Convoys among a million beads (gt convoy list, the stranded scan's open convoys) and the
-- /metrics counts by type and status: without it each scanned the table (0.6–1 s at 1M beads).
CREATE INDEX IF NOT EXISTS beads_type_status ON beads (issue_type, status);

CREATE TABLE IF NOT EXISTS deps (
  issue_id TEXT NOT NULL,
  depends_on_id TEXT NOT NULL,
  type TEXT NOT NULL,
  gate TEXT,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  PRIMARY KEY (issue_id, depends_on_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS deps_target ON deps (depends_on_id, type);

-- Number of generated ids per prefix: drives the adaptive id length without a COUNT(*) per create.
CREATE TABLE IF NOT EXISTS id_counts (prefix TEXT PRIMARY KEY, n INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS child_counters (parent TEXT PRIMARY KEY, n INTEGER NOT NULL);

CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  type TEXT NOT NULL,
  bead_id TEXT,
  rig TEXT,
  actor TEXT NOT NULL,
  at TEXT NOT NULL,
  data TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS comments (
  id TEXT PRIMARY KEY,
  issue_id TEXT NOT NULL,
  author TEXT NOT NULL,
  text TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS comments_issue ON comments (issue_id, created_at);

CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  actor_kind TEXT NOT NULL,
  source TEXT NOT NULL,
  verb TEXT NOT NULL,
  args TEXT NOT NULL,
  outcome TEXT NOT NULL,
  message TEXT
);

CREATE TABLE IF NOT EXISTS slots (
  rig TEXT NOT NULL,
  name TEXT NOT NULL,
  bead_id TEXT NOT NULL,
  taken_at TEXT NOT NULL,
  PRIMARY KEY (rig, name)
);

CREATE TABLE IF NOT EXISTS mail (
  id TEXT PRIMARY KEY,
  sender TEXT NOT NULL,
  recipient TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  priority TEXT NOT NULL,
  thread_id TEXT NOT NULL,
  reply_to TEXT,
  to_spawn TEXT,
  created_at TEXT NOT NULL,
  expires_at TEXT,
  read_at TEXT,
  read_by TEXT,
  acked_at TEXT,
  acked_by TEXT,
  archived INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS mail_recipient ON mail (recipient, archived, created_at);
CREATE INDEX IF NOT EXISTS mail_thread ON mail (thread_id, created_at);

CREATE TABLE IF NOT EXISTS nudges (
  id TEXT PRIMARY KEY,
  recipient TEXT NOT NULL,
  sender TEXT NOT NULL,
  message TEXT NOT NULL,
  urgent INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS nudges_recipient ON nudges (recipient, created_at);

-- Merge requests (domain/merge-request.ts). The lane groups the MRs that replace one another (a
-- bead's; ledger/merge-records.ts): submission looks for the lane's open MR by it.
CREATE TABLE IF NOT EXISTS merge_requests (
  id TEXT PRIMARY KEY,
  rig TEXT NOT NULL,
  bead_id TEXT,
  lane TEXT NOT NULL,
  polecat TEXT,
  branch TEXT NOT NULL,
  sha TEXT NOT NULL,
  target TEXT NOT NULL,
  priority INTEGER NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  gates TEXT NOT NULL,
  reason TEXT NOT NULL,
  merge_commit TEXT,
  submitted_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  merged_at TEXT,
  verified_tree TEXT,
  override TEXT, -- JSON (MergeOverride) or NULL
  version INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS merge_requests_rig_status ON merge_requests (rig, status, created_at);
-- A rig's last landings, newest first (listMergeRequests' \`newest\`: the queue card), without
-- reading every MR it ever landed. Created on open, so older ledger files gain it too.
CREATE INDEX IF NOT EXISTS merge_requests_rig_merged ON merge_requests (rig, status, merged_at, id);
CREATE INDEX IF NOT EXISTS merge_requests_bead ON merge_requests (bead_id, created_at);
CREATE INDEX IF NOT EXISTS merge_requests_lane ON merge_requests (lane, status);

-- What agents spent (domain/usage.ts, ledger/usage-rows.ts): one row per usage report, holding
-- the difference it adds. A table created on open (CREATE … IF NOT EXISTS) is how older ledger
-- files gain it; rows of a cumulative report's session chain share \`chain\` (UNIQUE with its seq).
CREATE TABLE IF NOT EXISTS usage_records (
  id TEXT PRIMARY KEY,
  at TEXT NOT NULL,
  bead TEXT NOT NULL,
  convoy TEXT,
  rig TEXT NOT NULL,
  agent TEXT NOT NULL,
  session TEXT,
  model TEXT,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cache_read_tokens INTEGER NOT NULL,
  cache_write_tokens INTEGER NOT NULL,
  cost_micros INTEGER, -- NULL: unpriced
  cost_source TEXT NOT NULL, -- reported | estimated | unpriced
  chain TEXT,
  chain_seq INTEGER,
  totals TEXT, -- JSON (SessionTotals) of a cumulative report
  reported_by TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS usage_chain ON usage_records (chain, chain_seq);
CREATE INDEX IF NOT EXISTS usage_bead ON usage_records (bead, at);
CREATE INDEX IF NOT EXISTS usage_convoy ON usage_records (convoy, at);
CREATE INDEX IF NOT EXISTS usage_rig ON usage_records (rig, at);
CREATE INDEX IF NOT EXISTS usage_agent ON usage_records (agent, at);
CREATE INDEX IF NOT EXISTS usage_at ON usage_records (at);

CREATE TABLE IF NOT EXISTS idempotency (key TEXT PRIMARY KEY, expires_at TEXT NOT NULL);
`;
