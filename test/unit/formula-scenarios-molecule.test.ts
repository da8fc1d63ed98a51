import { describe, expect, it } from 'vitest';
import { type Ancestor, ancestorsToClose, MOLECULE_COMPLETE_REASON } from '../../src/domain/molecule.ts';
import { type Run, steps, useFormulaTown } from './formula-scenarios-town.ts';

/**
 * Reference formulas.md §8, scenarios 25, 26 and 32: running a molecule — claims that race,
 * the root closing itself when its last step closes, a 1,025-step chain.
 */
describe('formula scenarios: running a molecule', () => {
  const town = useFormulaTown();
  const { ok, show, ready, closeAndFeed } = town;
  const claimsOf = async (id: string) =>
    (await town.ledger.eventsSince(0, 1_000_000)).filter((e) => e.type === 'bead_claimed' && e.bead_id === id)
      .length;
  const closesOf = async (id: string) =>
    (await town.ledger.eventsSince(0, 1_000_000)).filter((e) => e.type === 'bead_closed' && e.bead_id === id)
      .length;
  const THREE = `formula = "three"\n${steps('id = "s1"\ntitle = "One"', 'id = "s2"\ntitle = "Two"\nneeds = ["s1"]', 'id = "s3"\ntitle = "Three"\nneeds = ["s2"]')}`;

  it('§8 #25 a close hands the next step to one polecat; two racing for one step: exactly one wins', async () => {
    town.write('three.formula.toml', THREE);
    const r = await ok<Run>('gt formula run', { name: 'three', launch: true });
    const [s1, s2, s3] = ['s1', 's2', 's3'].map((k) => r.steps[k] as string) as [string, string, string];
    expect((await show(s1)).status).toBe('hooked');
    expect(await ready()).toEqual([]);

    // There is no `bd close --continue`: the feeder is what takes the next step, on the close's
    // event. Two replicas handle the same event at once: s2 is claimed once.
    await ok('bd close', { ids: [s1] });
    const closed = await town.lastClose(s1);
    const other = await town.replica();
    await Promise.all([town.feeder.onClosed(closed), other.feeder.onClosed(closed)]);
    expect(await show(s2)).toMatchObject({ status: 'hooked', assignee: expect.stringMatching(/^alpha\//) });
    expect(await claimsOf(s2)).toBe(1);
    expect((await town.ledger.listSlots('alpha')).filter((s) => s.bead_id === s2)).toHaveLength(1);
    expect((await show(s3)).is_blocked).toBe(true);

    // Closing the second step makes the third ready; two callers sling it at once, each from its
    // own connection: one hooks it, the other is told (or finds it hooked) and holds no slot.
    await ok('bd close', { ids: [s2] });
    expect(await ready()).toEqual([s3]);
    const replies = await Promise.all([town.run('gt sling', { id: s3 }), other.run('gt sling', { id: s3 })]);
    const won = replies.flatMap((x) => (x.ok ? [x.data as { status: string; polecat: string }] : []));
    const hooked = won.filter((d) => d.status === 'hooked');
    expect(hooked).toHaveLength(1);
    // The loser passed its checks before the winner's claim landed (a real race: the claim's
    // compare-and-swap tells it), or read the bead after it (already hooked: no change).
    const [loser] = replies.filter((x) => !x.ok || (x.data as { status: string }).status !== 'hooked');
    if (loser?.ok) expect(loser.data).toMatchObject({ status: 'already_hooked' });
    else expect(loser?.error.code).toBe('changed_concurrently');
    expect(await claimsOf(s3)).toBe(1);
    expect((await show(s3)).assignee).toBe(hooked[0]?.polecat);
    expect((await town.ledger.listSlots('alpha')).filter((s) => s.bead_id === s3)).toHaveLength(1);
  });

  it('§8 #26 the last step closed: containers, then the root, close with "All steps complete"', async () => {
    // Containers may need containers (a task cannot block an epic): p2's children wait for p.
    town.write(
      'nested.formula.toml',
      `formula = "nested"\n${steps(
        'id = "a"\ntitle = "A"',
        'id = "p"\ntitle = "P"\n[[steps.children]]\nid = "c1"\ntitle = "C1"\nneeds = ["a"]\n[[steps.children]]\nid = "c2"\ntitle = "C2"\nneeds = ["c1"]',
        'id = "p2"\ntitle = "P2"\nneeds = ["p"]\n[[steps.children]]\nid = "d"\ntitle = "D"',
      )}`,
    );
    const r = await ok<Run>('gt formula run', { name: 'nested', launch: true });
    const id = (k: string) => r.steps[k] as string;
    expect([(await show(id('p'))).issue_type, (await show(id('p2'))).issue_type]).toEqual(['epic', 'epic']);
    await closeAndFeed(id('a'));
    await closeAndFeed(id('c1'));
    expect((await show(id('p'))).status).toBe('open'); // c2 is still open under it
    expect((await show(id('d'))).is_blocked).toBe(true); // through p2, which needs p
    // c2 was the container's last open child: the container closes, and d, which waited on it
    // through its own container, is dispatched by the same event.
    await closeAndFeed(id('c2'));
    expect(await show(id('p'))).toMatchObject({ status: 'closed', close_reason: MOLECULE_COMPLETE_REASON });
    expect(await show(id('d'))).toMatchObject({ status: 'hooked' });
    expect((await show(r.root)).status).toBe('open');
    await closeAndFeed(id('d'));
    expect(await show(id('p2'))).toMatchObject({ status: 'closed', close_reason: MOLECULE_COMPLETE_REASON });
    expect(await show(r.root)).toMatchObject({ status: 'closed', close_reason: 'All steps complete' });
    expect(await ok('gt convoy status', { convoy: r.convoy_id })).toMatchObject({ status: 'closed' });
    // The same event again (a redelivery, another replica): closed once.
    await town.feeder.onClosed(await town.lastClose(id('d')));
    expect(await closesOf(r.root)).toBe(1);
  });

  it('§8 #26 an unapproved gate keeps the root open; a plain epic never closes itself', async () => {
    town.write(
      'gated.formula.toml',
      `formula = "gated"\n${steps('id = "build"\ntitle = "Build"\n[steps.gate]\ntype = "human"')}`,
    );
    const r = await ok<Run>('gt formula run', { name: 'gated' });
    await closeAndFeed(r.steps.build as string);
    expect((await show(r.root)).status).toBe('open');
    await ok('gt gate approve', { id: r.steps['build.approval'] });
    await town.feeder.onClosed(await town.lastClose(r.steps['build.approval'] as string));
    expect(await show(r.root)).toMatchObject({ status: 'closed', close_reason: MOLECULE_COMPLETE_REASON });

    const epic = (await ok<{ id: string }>('bd create', { title: 'Plain', type: 'epic', rig: 'alpha' })).id;
    const kids = [
      (await ok<{ id: string }>('bd create', { title: 'x', rig: 'alpha', parent: epic })).id,
      (await ok<{ id: string }>('bd create', { title: 'y', rig: 'alpha', parent: epic })).id,
    ];
    for (const kid of kids) await closeAndFeed(kid);
    expect((await show(epic)).status).toBe('open');
  });

  it('§8 #30 a step needing a container waits for its whole subtree; a container needing a step holds its subtree', async () => {
    town.write(
      'nested.formula.toml',
      [
        'formula = "nested"',
        steps(
          'id = "prep"\ntitle = "Prep"',
          'id = "fix"\ntitle = "Fix"\nneeds = ["prep"]\n  [[steps.children]]\n  id = "cause"\n  title = "Cause"\n  [[steps.children]]\n  id = "patch"\n  title = "Patch"\n  needs = ["cause"]',
          'id = "verify"\ntitle = "Verify"\nneeds = ["fix"]',
        ),
      ].join('\n'),
    );
    const r = await ok<Run>('gt formula run', { name: 'nested' });
    const [prep, cause, patch, verify] = ['prep', 'cause', 'patch', 'verify'].map(
      (k) => r.steps[k] as string,
    );
    expect(await ready()).toEqual([prep]); // the container's children wait on what it needs
    await closeAndFeed(prep as string);
    expect(await ready()).toEqual([cause]);
    await closeAndFeed(cause as string);
    expect(await ready()).toEqual([patch]); // verify still waits on the rest of the subtree
    await closeAndFeed(patch as string);
    expect(await ready()).toEqual([verify]);
  });

  it('§8 #32 a 1,025-step chain (≈150 KB): one run writes it all; exactly one step is ready at a time', async () => {
    const n = 1_025;
    const name = (i: number) => `move-${String(i).padStart(4, '0')}`;
    const text = [
      'formula = "chain"',
      'description = "A long linear chain, like towers-of-hanoi-10"',
      ...Array.from({ length: n }, (_, k) => {
        const i = k + 1;
        const needs = i > 1 ? `\nneeds = ["${name(i - 1)}"]` : '';
        return `[[steps]]\nid = "${name(i)}"\ntitle = "Move ${i}"\ndescription = "Move disk ${(i % 10) + 1} from peg ${i % 3} to peg ${(i + 1) % 3}, then record the move in the log before the next one."${needs}\n`;
      }),
    ].join('\n');
    expect(text.length).toBeGreaterThan(140_000);
    town.write('chain.formula.toml', text);
    const r = await ok<Run>('gt formula run', { name: 'chain' });
    expect(Object.keys(r.steps)).toHaveLength(n);
    expect(r.waves).toHaveLength(n);
    for (let i = 1; i <= 4; i++) {
      expect(await ready()).toEqual([r.steps[name(i)]]);
      await ok('bd close', { ids: [r.steps[name(i)]] });
    }
    expect(await ready()).toEqual([r.steps[name(5)]]);
  });
});

describe('ancestorsToClose (domain/molecule.ts)', () => {
  const node = (id: string, o: Partial<Ancestor> = {}): Ancestor => ({
    id,
    issue_type: 'epic',
    labels: [],
    parent: null,
    status: 'open',
    openChildren: [],
    ...o,
  });
  const root = (o: Partial<Ancestor> = {}) => node('r', { labels: ['formula:f'], ...o });

  it('closes nearest first, up to a formula root with nothing else open', () => {
    expect(ancestorsToClose([node('p', { parent: 'r' }), root({ openChildren: ['p'] })])).toEqual(['p', 'r']);
  });
  it('does nothing under a plain epic, or an epic with a formula label that has a parent', () => {
    expect(ancestorsToClose([node('e')])).toEqual([]);
    expect(ancestorsToClose([node('e', { labels: ['formula:f'], parent: 'x' })])).toEqual([]);
    expect(ancestorsToClose([])).toEqual([]);
  });
  it('stops at an ancestor with something else open, or one that is not an epic', () => {
    expect(
      ancestorsToClose([node('p', { parent: 'r', openChildren: ['c2'] }), root({ openChildren: ['p'] })]),
    ).toEqual([]);
    expect(ancestorsToClose([node('p', { parent: 'r' }), root({ openChildren: ['p', 'q'] })])).toEqual(['p']);
    expect(
      ancestorsToClose([node('t', { issue_type: 'task', parent: 'r' }), root({ openChildren: ['t'] })]),
    ).toEqual([]);
  });
  it('passes over an ancestor already closed; a closed root closes nothing', () => {
    expect(ancestorsToClose([node('p', { parent: 'r', status: 'closed' }), root()])).toEqual(['r']);
    expect(ancestorsToClose([root({ status: 'closed' })])).toEqual([]);
  });
});
