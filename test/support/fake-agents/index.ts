import { resolve } from 'node:path';

/**
 * The fake agent CLIs (README.md here): put FAKE_AGENTS first on a rig runner's PATH and a rig
 * on a runtime preset runs the fake instead of the real CLI, with the preset's own command line.
 */
export const FAKE_AGENTS = import.meta.dirname;

/** A PATH that finds the fakes first. */
export const withFakeAgents = (path = process.env.PATH ?? ''): string => `${resolve(FAKE_AGENTS)}:${path}`;
