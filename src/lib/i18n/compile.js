// Compiles the messages before type checks and unit tests, which run without Vite.
import { compile } from '@inlang/paraglide-js';
import { paraglideOptions } from './paraglide.options.js';

await compile(paraglideOptions);
