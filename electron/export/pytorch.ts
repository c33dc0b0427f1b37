/**
 * PyTorch export: a small, readable package that trains and predicts without Netloom.
 *
 *   model.py      the graph as an nn.Module (one submodule per node, named after it; forward() in
 *                 topological order; inputs in Netloom's layout, channels last)
 *   data.py       the project's data (exported arrays, or a CSV with Netloom's preprocessing)
 *   train.py      the project's optimizer, loss, learning rate, batch size, epochs and seed; one
 *                 process, or DistributedDataParallel under torchrun (gloo on CPU, nccl on GPU)
 *   predict.py    one JSON array of outputs per row on stdout
 *   weights.pt    the trained weights, converted to the model's PyTorch layouts (torch.save's format)
 *   README.md     the commands
 */
import { pythonDataPackage } from './datafiles';
import { planGraph } from './plan';
import { torchModelPy, torchStateDict, WEIGHTS_FILE } from './torchModel';
import { torchPredictPy } from './torchPredict';
import { torchReadme } from './torchReadme';
import { torchSave } from './torchPickle';
import { torchTrainPy } from './torchTrain';
import type { Exporter } from './types';

export { torchModelPy, torchPredictPy, torchStateDict, torchTrainPy, WEIGHTS_FILE };

export const exportPytorch: Exporter = async (bundle, options, version) => {
  const plan = planGraph(bundle.project.graph);
  const project = bundle.project;
  const { out, files } = pythonDataPackage(bundle, plan, options);
  out.set('model.py', torchModelPy(plan, project.name, version));
  out.set('train.py', torchTrainPy(plan, project.name, project.training));
  out.set('predict.py', torchPredictPy(project.name));
  if (bundle.weights) {
    const state = torchStateDict(plan, bundle.weights);
    out.set(
      WEIGHTS_FILE,
      torchSave(
        [...state].map(([name, t]) => {
          if (!(t.data instanceof Float32Array)) throw new Error(`PyTorch export: ${name} is not float32`);
          return { name, shape: t.shape, data: t.data };
        }),
      ),
    );
  }
  out.set('README.md', torchReadme(project.name, plan, files, bundle.weights !== undefined, version));
  return out;
};
