// Imported first by the executable, so that it runs before any other module is even loaded: from this point a
// signal cannot kill the process or open the inspector, and a closed stdout/stderr cannot crash it.
import { takeSignals } from './signals.js';
import { guardStdio } from './stdio.js';

takeSignals();
guardStdio();
