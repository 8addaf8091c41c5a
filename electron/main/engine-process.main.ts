// The inference engine in an Electron utility process (the adapter is engine-utility-process.node.ts).
import { utilityProcess } from 'electron';
import { utilityEngineSpawner } from '../inference/engine-utility-process.node';

export const utilityProcessEngine = utilityEngineSpawner((modulePath, args, options) => utilityProcess.fork(modulePath, args, options));
