// The inference engine in an Electron utility process (the adapter is utility-engine.node.ts).
import { utilityProcess } from 'electron';
import { utilityEngineSpawner } from '../inference/utility-engine.node';

export const utilityProcessEngine = utilityEngineSpawner((modulePath, args, options) => utilityProcess.fork(modulePath, args, options));
