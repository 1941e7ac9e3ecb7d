import type { Command } from "commander";
import { configureFlowRunCommand } from "./flowRun.ts";
import { configureFlowSchemaCommand } from "./flowSchema.ts";
import { configureFlowValidateCommand } from "./flowValidate.ts";

export function configureFlowCommand(program: Command): void {
  const flow = program.command("flow").description("Validate, run and describe flows");
  configureFlowValidateCommand(flow);
  configureFlowRunCommand(flow);
  configureFlowSchemaCommand(flow);
}
