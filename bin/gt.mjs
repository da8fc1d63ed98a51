#!/usr/bin/env node
import { launch } from './launch.mjs';

await launch('gt', import.meta.url);
