from jongerenteam.cli import run

run()
