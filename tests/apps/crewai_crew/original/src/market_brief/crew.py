from crewai import Agent, Crew, LLM, Process, Task
from crewai.project import CrewBase, agent, crew, task
from crewai.agents.agent_builder.base_agent import BaseAgent

from market_brief.tools.price_sheet import PriceSheetTool


@CrewBase
class MarketBrief():
    """MarketBrief crew"""

    agents: list[BaseAgent]
    tasks: list[Task]

    @agent
    def pricing_analyst(self) -> Agent:
        return Agent(
            config=self.agents_config['pricing_analyst'], # type: ignore[index]
            tools=[PriceSheetTool()],
            verbose=True
        )

    @agent
    def brief_writer(self) -> Agent:
        return Agent(
            config=self.agents_config['brief_writer'], # type: ignore[index]
            llm=LLM(model="openai/gpt-4o-mini", temperature=0.3),
            verbose=True
        )

    @task
    def pricing_task(self) -> Task:
        return Task(
            config=self.tasks_config['pricing_task'], # type: ignore[index]
        )

    @task
    def brief_task(self) -> Task:
        return Task(
            config=self.tasks_config['brief_task'], # type: ignore[index]
        )

    @crew
    def crew(self) -> Crew:
        """Creates the MarketBrief crew"""
        return Crew(
            agents=self.agents, # Automatically created by the @agent decorator
            tasks=self.tasks, # Automatically created by the @task decorator
            process=Process.sequential,
            verbose=True,
        )
