// Decide IAM requests with @cloud-copilot/iam-simulate (installed into .tools/ by `make tools`,
// found through NODE_PATH). stdin: a JSON list of simulations (its Simulation type); stdout: a
// JSON list with, for each, its overall result ("Allowed", "ExplicitlyDenied",
// "ImplicitlyDenied") or the errors it found in the simulation.
const { runSimulation } = require('@cloud-copilot/iam-simulate')

async function main() {
  const chunks = []
  for await (const chunk of process.stdin) chunks.push(chunk)
  const results = []
  for (const simulation of JSON.parse(Buffer.concat(chunks).toString('utf8'))) {
    const response = await runSimulation(simulation, {})
    results.push(
      response.resultType === 'error'
        ? { errors: response.errors }
        : { decision: response.overallResult }
    )
  }
  process.stdout.write(JSON.stringify(results))
}

main()
